package publish

import (
	"context"
	"errors"
	"testing"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/remote"
)

// Between a build and its push, a rebuild moves the tag and gc runs: gc
// finds the layout in use and frees nothing, and the push sends the
// image built, by its digest. Once published, the result's lease is
// released and gc frees the image no tag reaches any more.
func TestGCCannotFreeTheImageBetweenBuildAndPush(t *testing.T) {
	ctx := context.Background()
	host := newRegistry(t)
	f, req := newFake(t)
	req.Repo = host + "/team"
	first := run(t, f, req)
	f.exe = "second"
	second := run(t, f, req)
	second.Release()
	if second.Root.Digest == first.Root.Digest {
		t.Fatal("the rebuild made the same image: the test proves nothing")
	}
	gcStore, err := layout.Open(first.LayoutDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gcStore.GC(ctx, layout.GCOptions{}); !errors.Is(err, layout.ErrInUse) {
		t.Fatalf("gc between build and push: %v, want layout.ErrInUse", err)
	}
	ref, err := Publish(ctx, first, Destinations{Push: remote.New(remote.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	if want := host + "/team/svc@" + first.Root.Digest.String(); ref != want {
		t.Errorf("pushed %s, want %s", ref, want)
	}
	freed, err := gcStore.GC(ctx, layout.GCOptions{})
	if err != nil || freed.Removed == 0 {
		t.Fatalf("gc after publishing: %+v, %v; want the first image freed", freed, err)
	}
	if there, err := gcStore.Exists(ctx, first.Root); err != nil || there {
		t.Errorf("the first image's manifest is still in the layout (%v)", err)
	}
}

// A Result that holds no lease is not published: nothing would keep its
// image from gc meanwhile.
func TestPublishWantsALease(t *testing.T) {
	f, req := newFake(t)
	released := run(t, f, req)
	released.Release()
	tests := []struct {
		name string
		res  builder.Result
	}{
		{"not from Plan.Run", builder.Result{LayoutDir: released.LayoutDir, Tags: released.Tags, Root: released.Root}},
		{"released", released},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Publish(context.Background(), tt.res, Destinations{}); !errors.Is(err, ErrNotHeld) {
				t.Errorf("Publish: %v, want ErrNotHeld", err)
			}
		})
	}
}

// A destination that needs the image's name and has none is refused, and
// the result released all the same.
func TestPublishWantsAName(t *testing.T) {
	tests := []struct {
		name string
		d    Destinations
	}{
		{"push without Result.Image", Destinations{Push: remote.New(remote.Options{})}},
		{"load without Destinations.Name", Destinations{Engine: &fakeEngine{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, req := newFake(t)
			res := run(t, f, req)
			if _, err := Publish(context.Background(), res, tt.d); !errors.Is(err, ErrNoName) {
				t.Errorf("Publish: %v, want ErrNoName", err)
			}
			if res.Layout() != nil {
				t.Error("the result was not released")
			}
		})
	}
}
