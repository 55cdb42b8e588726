package builder

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/regular"
	"github.com/docker-krust/docker-krust/layout"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// The files layer is cached like the binary's: a rebuild with unchanged
// files, whatever their mtimes, compresses nothing; a change to any
// entry's content, mode, type or link target compresses it again.
func TestFilesLayerCache(t *testing.T) {
	f, opts := newFake(t)
	makeTree(t, opts.Dir, assets)
	opts.Files = assetSpecs
	compressed := countCompressions(&opts)
	var log bytes.Buffer
	opts.Log = &log
	build := func() ocispec.Descriptor {
		res, err := Run(context.Background(), f, opts)
		mustDo(t, err)
		layers, _ := imageLayers(t, res.LayoutDir)
		return layers[0]
	}
	first := build()
	if n := compressed.Swap(0); n != 2 {
		t.Fatalf("first build compressed %d layers, want the files' and the binary's", n)
	}
	later := time.Now().Add(time.Hour)
	mustDo(t, os.Chtimes(filepath.Join(opts.Dir, "static", "index.html"), later, later))
	if again := build(); again.Digest != first.Digest || compressed.Load() != 0 || !strings.Contains(log.String(), "layer for files taken from the cache") {
		t.Fatalf("rebuild with unchanged files (one touched) compressed %d layers, files layer %s (was %s):\n%s", compressed.Load(), again.Digest, first.Digest, log.String())
	}
	changes := []struct {
		name   string
		change func(dir string) error
	}{
		{"content, same size", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "static", "sub", "dir", "a.txt"), []byte("b"), 0o644)
		}},
		{"an execute bit", func(dir string) error { return os.Chmod(filepath.Join(dir, "static", "index.html"), 0o744) }},
		{"a link's target", func(dir string) error {
			p := filepath.Join(dir, "static", "link")
			return errors.Join(os.Remove(p), os.Symlink("index.html", p))
		}},
		{"a file for a link", func(dir string) error {
			p := filepath.Join(dir, "static", "link")
			return errors.Join(os.Remove(p), os.WriteFile(p, []byte("sub/dir/a.tx"), 0o644))
		}},
		{"an empty directory added", func(dir string) error { return os.Mkdir(filepath.Join(dir, "static", "empty"), 0o755) }},
	}
	seen := map[string]string{first.Digest.String(): "the first build"}
	for _, c := range changes {
		mustDo(t, c.change(opts.Dir))
		layer := build()
		if n := compressed.Swap(0); n != 1 {
			t.Errorf("%s: %d layers compressed, want the files layer alone", c.name, n)
		}
		if prev, ok := seen[layer.Digest.String()]; ok {
			t.Errorf("%s: the files layer is %s, as after %s", c.name, layer.Digest, prev)
		}
		seen[layer.Digest.String()] = c.name
	}
}

// Both platforms' images share one files layer, compressed once.
func TestFilesLayerSharedByPlatforms(t *testing.T) {
	f, opts := newFake(t)
	makeTree(t, opts.Dir, assets)
	opts.Files = assetSpecs
	opts.Platforms = append(opts.Platforms, ocispec.Platform{OS: "linux", Architecture: "arm64"})
	compressed := countCompressions(&opts)
	if _, err := Run(context.Background(), f, opts); err != nil {
		t.Fatal(err)
	}
	if n := compressed.Load(); n != 3 {
		t.Errorf("%d layers compressed for two platforms, want 3: the files layer once, each binary", n)
	}
}

// A file swapped for a FIFO after the check, while cargo runs, is
// refused when the layer is written, at once: nothing waits for a writer.
func TestFilesSwappedForFIFODoNotHang(t *testing.T) {
	f, opts := newFake(t)
	makeTree(t, opts.Dir, assets)
	opts.Files = assetSpecs
	p := filepath.Join(opts.Dir, "static", "index.html")
	f.hook = func() { mustDo(t, errors.Join(os.Remove(p), syscall.Mkfifo(p, 0o644))) }
	done := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), f, opts)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, regular.ErrNotRegular) || !strings.Contains(err.Error(), "index.html") {
			t.Errorf("got %v, want index.html refused as not a regular file", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the build waits on a FIFO among the files")
	}
}

// A file whose size changes after the walk (while cargo runs) fails the
// build rather than going into the layer torn.
func TestFilesChangedDuringTheBuild(t *testing.T) {
	f, opts := newFake(t)
	makeTree(t, opts.Dir, assets)
	opts.Files = assetSpecs
	f.hook = func() { appendTo(t, filepath.Join(opts.Dir, "static", "index.html"), "<p>more</p>") }
	if _, err := Run(context.Background(), f, opts); err == nil || !strings.Contains(err.Error(), "index.html changed while krust packaged it") {
		t.Errorf("got %v, want index.html named as changed", err)
	}
}

// A cancelled build stops packing a tree at the next file, and stops
// walking one before cargo.
func TestFilesPackingStopsWhenCancelled(t *testing.T) {
	f, opts := newFake(t)
	makeTree(t, opts.Dir, assets)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, f, testBuild{Request: withFiles(opts.Request)}); !errors.Is(err, context.Canceled) || f.builds != 0 {
		t.Errorf("a cancelled Prepare gave %v after %d builds, want context.Canceled before cargo", err, f.builds)
	}
	src, err := filesLayer(context.Background(), assetSpecs, filesDirs{opts.Dir, opts.Dir, ""}, []string{"svc"})
	mustDo(t, err)
	opened, err := src.open()
	mustDo(t, err)
	defer opened.Close()
	defer opened.stopOn(ctx)()
	for deadline := time.Now().Add(time.Minute); !opened.stopped.Load(); {
		if time.Now().After(deadline) {
			t.Fatal("a cancelled context did not stop the packing")
		}
		runtime.Gosched()
	}
	store, err := layout.Create(context.Background(), filepath.Join(t.TempDir(), "layout"))
	mustDo(t, err)
	if _, err := writeLayer(store, opened.files, time.Unix(0, 0), ""); !errors.Is(err, errPackingStopped) {
		t.Errorf("packing after cancellation gave %v, want errPackingStopped", err)
	}
}

func withFiles(r Request) Request {
	r.Files = assetSpecs
	return r
}
