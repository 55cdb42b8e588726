package builder

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/oci"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	ggcrlayout "github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// newLie builds the fake's executable into a layout, then another
// executable into the same layout (for its layer), and the first again;
// it returns what the cache holds and the image digest of a clean build.
func newLie(t *testing.T, f *fakeCargo, opts testBuild) (*lie, digest.Digest) {
	t.Helper()
	exe := f.exe
	f.exe = append([]byte("another, longer executable "), exe...)
	other := runWithin(t, f, opts)
	otherLayer := layerOf(t, other.LayoutDir)
	f.exe = exe
	first := runWithin(t, f, opts)
	store := mustOpen(t, first.LayoutDir)
	var m ocispec.Manifest
	mustDo(t, oci.ReadJSON(context.Background(), store, first.Root, oci.MaxManifestSize, &m))
	var cfg ocispec.Image
	mustDo(t, oci.ReadJSON(context.Background(), store, m.Config, oci.MaxConfigSize, &cfg))
	l := &lie{
		cacheDir: layerCacheDir(&f.project), layoutDir: first.LayoutDir,
		layer: m.Layers[len(m.Layers)-1], config: m.Config, manifest: first.Root,
		diffID: cfg.RootFS.DiffIDs[len(m.Layers)-1], other: otherLayer, otherManifest: other.Root,
		outside: t.TempDir(),
	}
	for _, d := range []*ocispec.Descriptor{&l.layer, &l.config, &l.manifest, &l.other, &l.otherManifest} {
		*d = ocispec.Descriptor{MediaType: d.MediaType, Digest: d.Digest, Size: d.Size}
	}
	entries, _ := filepath.Glob(filepath.Join(l.cacheDir, "*.json"))
	for _, e := range entries {
		if data, _ := os.ReadFile(e); bytes.Contains(data, []byte(l.layer.Digest)) {
			l.entry = e
		}
	}
	if len(entries) != 2 || l.entry == "" {
		t.Fatalf("cache entries %v, want two, one for %s", entries, l.layer.Digest)
	}
	return l, first.Root.Digest
}

// runWithin runs a build, failing the test if it does not end within a
// few minutes (a FIFO in the cache once blocked a build forever).
func runWithin(t *testing.T, f *fakeCargo, opts testBuild) Result {
	t.Helper()
	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := Run(context.Background(), f, opts)
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			t.Fatal(o.err)
		}
		return o.res
	case <-time.After(time.Minute):
		t.Fatal("the build did not end within a minute: something in the cache blocks it")
	}
	return Result{}
}

// warning returns the log's warning lines that mention what.
func warning(log, what string) string {
	var lines []string
	for _, line := range strings.Split(log, "\n") {
		if strings.HasPrefix(line, "warning:") && strings.Contains(line, what) {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// snapshot lists every file under dir with its size, mode and content
// digest, so that a test sees anything written there.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %s %d", p, info.Mode(), info.Size())
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %s", digest.FromBytes(data))
		}
		b.WriteString("; ")
		return nil
	})
	mustDo(t, err)
	return b.String()
}

// validateImage has go-containerregistry check the image dgst of the
// layout in dir: digests, sizes, and each layer uncompressed against its
// diffID.
func validateImage(t *testing.T, dir string, dgst digest.Digest) {
	t.Helper()
	idx, err := ggcrlayout.ImageIndexFromPath(dir)
	mustDo(t, err)
	h, err := v1.NewHash(dgst.String())
	mustDo(t, err)
	img, err := idx.Image(h)
	mustDo(t, err)
	if err := validate.Image(img); err != nil {
		t.Errorf("go-containerregistry rejects the image %s: %v", dgst, err)
	}
}
