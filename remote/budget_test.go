package remote

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// TestDownRegistryGivesUpInOurWords runs pushes and a pull against a
// registry that answers 503 or cuts uploads for good, with the default
// budget: each gives up after 4 tries of each request and 3 of each blob
// step, within about 7 s, and says so in our words, naming the step, the
// blob and the registry, never oras-go's `failed to perform "Exists" on
// destination`.
func TestDownRegistryGivesUpInOurWords(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	src := newStore(t)
	img := writeImage(t, src, linuxAmd64, "always 503")
	pushImage(t, New(Options{}), reg.Host, "base", img, "v1")

	tests := []struct {
		name     string
		fault    testregistry.Fault
		run      func(c *Client, host string) error
		min, max int      // requests the budget allows: blobs are tried concurrently, and one failing ends the others
		want     []string // in the error, besides the cause and the host
		cause    string
	}{
		{"push, every request", testregistry.Always(testregistry.Fault503), func(c *Client, host string) error {
			_, err := c.Push(context.Background(), src, img.manifest, mustNamed(t, host+"/app"), PushOptions{})
			return err
		}, 4 * 3, 4 * 3, []string{"check whether HOST/app has manifest " + ShortDigest(img.manifest.Digest)}, "503"},
		{"push, every upload cut off", testregistry.OnPath("/blobs/uploads/", testregistry.FaultReset, 1000), func(c *Client, host string) error {
			_, err := c.Push(context.Background(), src, img.manifest, mustNamed(t, host+"/cut"), PushOptions{})
			return err
		}, 3 + 3, 3 + 2*4*3, []string{"upload ", " to HOST/cut", "push " + ShortDigest(img.manifest.Digest) + " to HOST/cut"}, "upload"},
		{"pull, every blob download", testregistry.OnPath("/blobs/", testregistry.Fault503, 1000), func(c *Client, host string) error {
			_, err := c.PullBase(context.Background(), host+"/base:v1", linuxAmd64, newStore(t))
			return err
		}, 2 + 4*3, 2 + 2*4*3, []string{"download ", "from HOST/base", "pull base image HOST/base:v1"}, "503"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			proxy := testregistry.StartProxy(t, reg.URL(), "", tt.fault)
			var log syncBuffer
			start := time.Now()
			err := tt.run(New(Options{Log: &log}), proxy.Host)
			elapsed := time.Since(start)
			if err == nil {
				t.Fatal("succeeded against a registry that answers 503")
			}
			var resp *errcode.ErrorResponse
			if tt.cause == "503" && (!errors.As(err, &resp) || resp.StatusCode != 503) {
				t.Errorf("error does not wrap the 503 response: %v", err)
			}
			msg := err.Error()
			for _, want := range append(tt.want, tt.cause, proxy.Host) {
				want = strings.ReplaceAll(want, "HOST", proxy.Host)
				if !strings.Contains(msg, want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			for _, oras := range []string{"failed to perform", "on destination", "on source"} {
				if strings.Contains(msg, oras) || strings.Contains(log.String(), oras) {
					t.Errorf("oras-go's wording %q reaches the user:\n%v\nlog:\n%s", oras, err, log.String())
				}
			}
			if n := len(proxy.Requests()); n < tt.min || n > tt.max {
				t.Errorf("%d requests before giving up, want %d to %d: %v", n, tt.min, tt.max, proxy.Requests())
			}
			t.Logf("gave up after %v: %v", elapsed, err)
			if elapsed > 12*time.Second {
				t.Errorf("gave up after %v, want about 7 s", elapsed)
			}
		})
	}
}

// TestRetryPolicyDefaults pins the budget the README states.
func TestRetryPolicyDefaults(t *testing.T) {
	got := New(Options{}).opts.Retry
	if got.RequestTries != 4 || got.BlobTries != 3 {
		t.Errorf("default budget = %+v, want 4 tries per request, 3 per blob step", got)
	}
}
