package remote

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"github.com/docker-krust/docker-krust/layout"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestStallingRegistryTimesOut(t *testing.T) {
	reg := testregistry.Start(t, testregistry.Options{})
	tests := []struct {
		name string
		run  func(ctx context.Context, c *Client, host string) error
	}{
		{"pull", func(ctx context.Context, c *Client, host string) error {
			store, err := layout.Create(context.Background(), t.TempDir())
			if err != nil {
				return err
			}
			_, err = c.PullBase(ctx, host+"/base:v1", ocispec.Platform{OS: "linux", Architecture: "amd64"}, store)
			return err
		}},
		{"push", func(ctx context.Context, c *Client, host string) error {
			store := newStore(t)
			img := writeImage(t, store, ocispec.Platform{OS: "linux", Architecture: "amd64"}, "stalled")
			_, err := c.Push(ctx, store, img.manifest, mustNamed(t, host+"/app"), PushOptions{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
			c := New(Options{Timeout: 2 * time.Second})
			// Decide plain HTTP before the stall starts, as a real run would
			// have by the time a registry stalls mid-way.
			if err := c.CheckPush(context.Background(), mustNamed(t, proxy.Host+"/x")); err != nil {
				t.Fatal(err)
			}
			proxy.SetFault(testregistry.Always(testregistry.FaultStall))
			start := time.Now()
			err := tt.run(context.Background(), c, proxy.Host)
			if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "after 2s, the timeout") || strings.Contains(err.Error(), "--") {
				t.Fatalf("a stalled registry gave %v, want ErrTimeout naming the timeout setting and no flag", err)
			}
			if elapsed := time.Since(start); elapsed > 10*time.Second {
				t.Errorf("gave up after %v with a 2 s timeout", elapsed)
			}
		})
	}
}
