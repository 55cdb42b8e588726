package remote

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"github.com/docker-krust/docker-krust/layout"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content/memory"
)

// A layout finds blobs by digest alone, so a base pinned by digest costs
// no request; this fails to compile when its Size changes shape.
var _ blobSizer = (*layout.Layout)(nil)

// recorder collects events and checks that they come one at a time.
type recorder struct {
	mu     sync.Mutex
	inside atomic.Int32
	events []Event
	t      *testing.T
}

func (r *recorder) record(e Event) {
	if r.inside.Add(1) != 1 {
		r.t.Errorf("Progress called concurrently (event %+v)", e)
	}
	defer r.inside.Add(-1)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// of returns the kinds of the events about desc, in order.
func (r *recorder) of(desc ocispec.Descriptor) []EventKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	var kinds []EventKind
	for _, e := range r.events {
		if e.Blob.Digest == desc.Digest && (len(kinds) == 0 || kinds[len(kinds)-1] != e.Kind) {
			kinds = append(kinds, e.Kind)
		}
	}
	return kinds
}

func (r *recorder) summary() (Summary, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var sum Summary
	n := 0
	for _, e := range r.events {
		if e.Kind == Finished {
			sum, n = e.Summary, n+1
		}
	}
	return sum, n
}

func sameKinds(a, b []EventKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// inMemory copies img into an oras memory store: remote takes any oras
// content store, not only a layout.
func inMemory(t *testing.T, img testImage) *memory.Store {
	t.Helper()
	mem := memory.New()
	if err := oras.CopyGraph(context.Background(), img.store, mem, img.manifest, oras.DefaultCopyGraphOptions); err != nil {
		t.Fatal(err)
	}
	return mem
}

// TestProgressEvents pushes from and pulls into oras memory stores and
// checks the events Options.Progress receives: configs and layers start,
// progress and are done, manifests are done, what is there is skipped,
// and one Finished closes each with the counts.
func TestProgressEvents(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	img := writeImage(t, newStore(t), linuxAmd64, string(make([]byte, 3*progressStep)))
	src := inMemory(t, img)
	ctx := context.Background()
	target := mustNamed(t, reg.Host+"/events")
	flowing := []EventKind{BlobStarted, BlobProgress, BlobDone}

	tests := []struct {
		name     string
		run      func(c *Client) error
		dir      Direction
		kinds    map[string][]EventKind // by "manifest", "config", "layer"
		finished Summary
	}{
		{"first push", func(c *Client) error {
			_, err := c.Push(ctx, src, img.manifest, target, PushOptions{})
			return err
		}, Push, map[string][]EventKind{"manifest": {BlobDone}, "config": flowing, "layer": flowing},
			Summary{Reference: target.Name() + "@" + img.manifest.Digest.String(), Copied: 3, Bytes: img.manifest.Size + img.config.Size + img.layer.Size}},
		{"second push", func(c *Client) error {
			_, err := c.Push(ctx, src, img.manifest, target, PushOptions{})
			return err
		}, Push, map[string][]EventKind{"manifest": {BlobSkipped}, "config": nil, "layer": nil},
			Summary{Reference: target.Name() + "@" + img.manifest.Digest.String(), Skipped: 1}},
		{"pull into memory", func(c *Client) error {
			_, err := c.PullBase(ctx, reg.Host+"/events:latest", linuxAmd64, memory.New())
			return err
		}, Pull, map[string][]EventKind{"manifest": {BlobDone}, "config": flowing, "layer": flowing},
			Summary{Reference: target.Name() + "@" + img.manifest.Digest.String(), Copied: 3, Bytes: img.manifest.Size + img.config.Size + img.layer.Size}},
	}
	for _, tt := range tests {
		rec := &recorder{t: t}
		if err := tt.run(New(Options{Progress: rec.record})); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		for which, desc := range map[string]ocispec.Descriptor{"manifest": img.manifest, "config": img.config, "layer": img.layer} {
			if got := rec.of(desc); !sameKinds(got, tt.kinds[which]) {
				t.Errorf("%s: events of the %s = %v, want %v", tt.name, which, got, tt.kinds[which])
			}
		}
		sum, n := rec.summary()
		if n != 1 || sum != tt.finished {
			t.Errorf("%s: %d Finished events, last %+v; want one, %+v", tt.name, n, sum, tt.finished)
		}
		for _, e := range rec.events {
			if e.Direction != tt.dir {
				t.Errorf("%s: event %v has direction %v, want %v", tt.name, e.Kind, e.Direction, tt.dir)
			}
			if e.Kind == BlobProgress && (e.Bytes <= 0 || e.Bytes > e.Blob.Size) {
				t.Errorf("%s: progress of %d bytes for a blob of %d", tt.name, e.Bytes, e.Blob.Size)
			}
		}
		var layerProgress []int64
		for _, e := range rec.events {
			if e.Kind == BlobProgress && e.Blob.Digest == img.layer.Digest {
				layerProgress = append(layerProgress, e.Bytes)
			}
		}
		if len(layerProgress) > 0 && layerProgress[len(layerProgress)-1] != img.layer.Size {
			t.Errorf("%s: the layer's last progress is %v, want its size %d", tt.name, layerProgress, img.layer.Size)
		}
	}
}

// TestPullIntoMemoryStore pulls into an oras memory store, which cannot
// find a blob by digest alone: a second pull by digest, with the image
// complete there, costs one manifest request and no blob.
func TestPullIntoMemoryStore(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	img := writeImage(t, newStore(t), linuxAmd64, "memory")
	pushImage(t, New(Options{}), reg.Host, "mem", img, "v1")
	proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
	ctx := context.Background()
	dst := memory.New()
	ref := proxy.Host + "/mem@" + img.manifest.Digest.String()
	for i := range 2 {
		before := len(proxy.Requests())
		base, err := New(Options{}).PullBase(ctx, ref, linuxAmd64, dst)
		if err != nil {
			t.Fatalf("pull %d: %v", i+1, err)
		}
		if base.Manifest.Digest != img.manifest.Digest {
			t.Errorf("pull %d: got %s, want %s", i+1, base.Manifest.Digest, img.manifest.Digest)
		}
		reqs := requestsSince(proxy, before)
		if i == 1 && (len(reqs) != 1 || countIn(reqs, "GET", "/blobs/") != 0) {
			t.Errorf("second pull made %v, want one manifest request", reqs)
		}
	}
	for _, d := range img.all() {
		if ok, err := dst.Exists(ctx, d); err != nil || !ok {
			t.Errorf("%s not in the memory store", blobName(d))
		}
	}
}
