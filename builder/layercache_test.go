package builder

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// layerOf returns the descriptor of the (only) new layer of the image
// tagged latest in dir.
func layerOf(t *testing.T, dir string) ocispec.Descriptor {
	t.Helper()
	store := mustOpen(t, dir)
	desc, err := store.Resolve(context.Background(), "latest")
	if err != nil {
		t.Fatal(err)
	}
	var m ocispec.Manifest
	if err := oci.ReadJSON(context.Background(), store, desc, oci.MaxManifestSize, &m); err != nil {
		t.Fatal(err)
	}
	return m.Layers[len(m.Layers)-1]
}

func blobPath(dir string, desc ocispec.Descriptor) string {
	return filepath.Join(dir, "blobs", desc.Digest.Algorithm().String(), desc.Digest.Encoded())
}

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Sys().(*syscall.Stat_t).Ino
}

func TestNoOpRebuildTakesLayerFromCache(t *testing.T) {
	f, opts := newFake(t)
	var compressed int
	opts.compressed = func() { compressed++ }
	first, err := Run(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	layer := layerOf(t, first.LayoutDir)
	ino := inode(t, blobPath(first.LayoutDir, layer))
	var log bytes.Buffer
	opts.Log = &log
	second, err := Run(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	if compressed != 1 {
		t.Errorf("the layer was compressed %d times in two builds of the same executable, want 1", compressed)
	}
	if second.Root.Digest != first.Root.Digest {
		t.Errorf("no-op rebuild gave %s, first build %s", second.Root.Digest, first.Root.Digest)
	}
	if got := inode(t, blobPath(first.LayoutDir, layer)); got != ino {
		t.Errorf("the layer blob was written again (inode %d, was %d)", got, ino)
	}
	if !strings.Contains(log.String(), "taken from the cache") {
		t.Errorf("the log does not say the layer came from the cache:\n%s", log.String())
	}
	entries, _ := filepath.Glob(filepath.Join(layerCacheDir(&f.project), "*"))
	if len(entries) != 1 || !strings.HasSuffix(entries[0], ".json") {
		t.Errorf("cache holds %v, want one entry and no temp files", entries)
	}
}

// cacheInputs are what shapes one layer, for calling the cache directly.
type cacheInputs struct {
	exe     []byte
	bin     string
	created time.Time
	comp    oci.Compression
}

func TestLayerCacheKeyHoldsEveryInput(t *testing.T) {
	base := cacheInputs{exe: []byte("\x7fELF one"), bin: "svc", created: time.Unix(1700000000, 0), comp: oci.Gzip}
	tests := []struct {
		name   string
		change func(*cacheInputs)
		want   int // compressions in the two builds
	}{
		{"nothing changed", func(*cacheInputs) {}, 1},
		{"executable", func(in *cacheInputs) { in.exe = []byte("\x7fELF two") }, 2},
		{"same size, other bytes", func(in *cacheInputs) { in.exe = []byte("\x7fELF onf") }, 2},
		{"path in the image", func(in *cacheInputs) { in.bin = "svc2" }, 2},
		{"mtime", func(in *cacheInputs) { in.created = in.created.Add(time.Second) }, 2},
		{"sub-second mtime", func(in *cacheInputs) { in.created = in.created.Add(time.Millisecond) }, 2},
		{"compression", func(in *cacheInputs) { in.comp = oci.Zstd }, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			store, err := layout.Create(context.Background(), filepath.Join(dir, "layout"))
			if err != nil {
				t.Fatal(err)
			}
			compressed := 0
			build := func(in cacheInputs) oci.Layer {
				exe := filepath.Join(dir, "exe")
				if err := os.WriteFile(exe, in.exe, 0o755); err != nil {
					t.Fatal(err)
				}
				c := &layerCache{target: dir, compression: in.comp, compressed: func() { compressed++ }}
				layer, err := c.layer(context.Background(), store, binaryLayer(cargo.Artifact{Bin: in.bin, Path: exe}), in.created)
				if err != nil {
					t.Fatal(err)
				}
				c.save(context.Background(), store, []ocispec.Descriptor{imageOf(t, store, layer)})
				return layer
			}
			first := build(base)
			changed := base
			tt.change(&changed)
			second := build(changed)
			if compressed != tt.want {
				t.Errorf("compressed %d times, want %d", compressed, tt.want)
			}
			if tt.want == 1 && (second.Descriptor.Digest != first.Descriptor.Digest || second.Descriptor.Size != first.Descriptor.Size || second.DiffID != first.DiffID || second.Descriptor.MediaType != first.Descriptor.MediaType) {
				t.Errorf("cached layer %+v differs from the built one %+v", second, first)
			}
			if tt.want == 2 && second.Descriptor.Digest == first.Descriptor.Digest {
				t.Errorf("a changed input gave the same layer %s", second.Descriptor.Digest)
			}
		})
	}
}

func TestDamagedCacheIsRebuilt(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, entry, blob string)
	}{
		{"blob missing", func(t *testing.T, _, blob string) { mustDo(t, os.Remove(blob)) }},
		{"blob truncated", func(t *testing.T, _, blob string) { mustDo(t, os.Truncate(blob, 10)) }},
		{"blob grown", func(t *testing.T, _, blob string) { appendTo(t, blob, "x") }},
		// The size is right, the content is not: a rewrite changes the
		// file's stamp, so its content is checked and the layer rebuilt.
		{"blob same size, other bytes", func(t *testing.T, _, blob string) {
			data, err := os.ReadFile(blob)
			mustDo(t, err)
			data[len(data)/2] ^= 0xff
			mustDo(t, os.WriteFile(blob, data, 0o644))
		}},
		{"blob replaced by a damaged file of the same size", func(t *testing.T, _, blob string) {
			data, err := os.ReadFile(blob)
			mustDo(t, err)
			data[len(data)/2] ^= 0xff
			mustDo(t, os.WriteFile(blob+".new", data, 0o644))
			mustDo(t, os.Rename(blob+".new", blob))
		}},
		{"entry truncated", func(t *testing.T, entry, _ string) { mustDo(t, os.Truncate(entry, 20)) }},
		{"entry empty", func(t *testing.T, entry, _ string) { mustDo(t, os.Truncate(entry, 0)) }},
		{"entry garbage", func(t *testing.T, entry, _ string) {
			mustDo(t, os.WriteFile(entry, []byte("\x00\xff{not json"), 0o644))
		}},
		{"entry for another layer", func(t *testing.T, entry, _ string) {
			data, err := os.ReadFile(entry)
			mustDo(t, err)
			mustDo(t, os.WriteFile(entry, bytes.Replace(data, []byte(`"diffID":"sha256:`), []byte(`"diffID":"sha256:0`), 1), 0o644))
		}},
		{"entry naming a bad digest", func(t *testing.T, entry, _ string) {
			data, err := os.ReadFile(entry)
			mustDo(t, err)
			mustDo(t, os.WriteFile(entry, bytes.Replace(data, []byte(`"digest":"sha256:`), []byte(`"digest":"sha256:zz`), 1), 0o644))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			var compressed int
			opts.compressed = func() { compressed++ }
			first, err := Run(context.Background(), f, opts)
			if err != nil {
				t.Fatal(err)
			}
			entries, _ := filepath.Glob(filepath.Join(layerCacheDir(&f.project), "*.json"))
			if len(entries) != 1 {
				t.Fatalf("cache entries %v, want one", entries)
			}
			layer := layerOf(t, first.LayoutDir)
			tt.damage(t, entries[0], blobPath(first.LayoutDir, layer))
			second, err := Run(context.Background(), f, opts)
			if err != nil {
				t.Fatal(err)
			}
			if compressed != 2 || second.Root.Digest != first.Root.Digest {
				t.Errorf("after damage: compressed %d times (want 2), digest %s (want %s)", compressed, second.Root.Digest, first.Root.Digest)
			}
			ok, err := mustOpen(t, first.LayoutDir).Exists(context.Background(), layer)
			if !ok || err != nil {
				t.Errorf("the layer blob is not intact after the rebuild: %v %v", ok, err)
			}
			if _, err := Run(context.Background(), f, opts); err != nil || compressed != 2 {
				t.Errorf("the entry was not rewritten: a third build compressed again (%d, %v)", compressed, err)
			}
		})
	}
}

func TestConcurrentBuildsShareTheCache(t *testing.T) {
	f, opts := newFake(t)
	const n = 4
	var compressed atomic.Int32
	opts.compressed = func() { compressed.Add(1) }
	digests := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := Run(context.Background(), &fakeCargo{project: f.project, exe: f.exe}, opts)
			digests[i], errs[i] = res.Root.Digest.String(), err
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || digests[i] != digests[0] {
			t.Fatalf("build %d: %s, %v; build 0: %s", i, digests[i], errs[i], digests[0])
		}
	}
	before := compressed.Load()
	res, err := Run(context.Background(), f, opts)
	if err != nil || res.Root.Digest.String() != digests[0] {
		t.Fatalf("build after the concurrent ones: %s, %v", res.Root.Digest, err)
	}
	if compressed.Load() != before {
		t.Errorf("the build after %d concurrent ones compressed again: their cache entries are unusable", n)
	}
	entries, _ := filepath.Glob(filepath.Join(layerCacheDir(&f.project), "*"))
	if len(entries) != 1 {
		t.Errorf("cache holds %v, want one entry and no temp files", entries)
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	mustDo(t, err)
	_, err = f.WriteString(s)
	mustDo(t, errors.Join(err, f.Close()))
}

// imageOf writes into store an image manifest and config holding layer
// alone, as a build would around it, and returns the manifest.
func imageOf(t testing.TB, store *layout.Layout, layer oci.Layer) ocispec.Descriptor {
	t.Helper()
	cfg := ocispec.Image{RootFS: ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{layer.DiffID}}}
	cfgDesc, err := writeJSON(context.Background(), store, ocispec.MediaTypeImageConfig, cfg)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := writeJSON(context.Background(), store, ocispec.MediaTypeImageManifest, oci.NewManifest(cfgDesc, []ocispec.Descriptor{layer.Descriptor}, nil))
	if err != nil {
		t.Fatal(err)
	}
	return desc
}
