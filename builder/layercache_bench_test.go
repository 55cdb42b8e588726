package builder

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// cacheBenchSize is the executable the cache benchmarks package: the
// 100 MiB of make bench.
const cacheBenchSize = 100 << 20

// BenchmarkLayerCacheHit is what a no-op rebuild pays for its layer: the
// diffID recomputed from the executable, the entry, its proof (manifest
// and config) and the blob's stamp checked ("hit"); with the blob hashed
// too, as after the blob file changed ("hit, blob hashed"); and the
// diffID alone, the floor ("diffID only"). MB/s is of the executable.
func BenchmarkLayerCacheHit(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	exe := benchExecutable(b, dir)
	store, err := layout.Create(ctx, filepath.Join(dir, "layout"))
	if err != nil {
		b.Fatal(err)
	}
	art, created := cargo.Artifact{Bin: "bench", Path: exe}, time.Unix(1700000000, 0)
	c := &layerCache{target: dir, compression: oci.Gzip}
	layer, err := c.layer(ctx, store, binaryLayer(art), created)
	if err != nil {
		b.Fatal(err)
	}
	c.save(ctx, store, []ocispec.Descriptor{imageOf(b, store, layer)})
	entry := filepath.Join(layerCacheDir(&cargo.Project{TargetDir: dir}), c.key(layer.DiffID).name())
	hit := func(b *testing.B) {
		c := &layerCache{target: dir, compression: oci.Gzip, compressed: func() { b.Fatal("the layer was compressed: the cache missed") }}
		if _, err := c.layer(ctx, store, binaryLayer(art), created); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("hit", func(b *testing.B) {
		b.SetBytes(cacheBenchSize)
		for b.Loop() {
			hit(b)
		}
	})
	b.Run("hit, blob hashed", func(b *testing.B) {
		// An entry without a stamp has its blob hashed; hit does not
		// save, so the entry stays so.
		data, err := os.ReadFile(entry)
		if err != nil {
			b.Fatal(err)
		}
		var e layerEntry
		if err := json.Unmarshal(data, &e); err != nil {
			b.Fatal(err)
		}
		e.Blob = nil
		unstamped, err := json.Marshal(e)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(entry, unstamped, 0o644); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.WriteFile(entry, data, 0o644) })
		b.SetBytes(cacheBenchSize)
		for b.Loop() {
			hit(b)
		}
	})
	b.Run("diffID only", func(b *testing.B) {
		b.SetBytes(cacheBenchSize)
		for b.Loop() {
			f, err := os.Open(exe)
			if err != nil {
				b.Fatal(err)
			}
			_, err = oci.DiffID([]oci.File{{Path: "app/bench", Mode: exeMode, Size: cacheBenchSize, Content: f}}, created)
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchExecutable writes cacheBenchSize bytes of machine code (this test
// binary, repeated) to dir/exe.
func benchExecutable(b *testing.B, dir string) string {
	b.Helper()
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	code, err := os.ReadFile(self)
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 0, cacheBenchSize)
	for len(data) < cacheBenchSize {
		data = append(data, code[:min(len(code), cacheBenchSize-len(data))]...)
	}
	exe := filepath.Join(dir, "exe")
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		b.Fatal(err)
	}
	return exe
}
