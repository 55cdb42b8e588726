package builder

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/ggcrcheck"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// severalLayers is a build of an image of two layers on scratch: extra
// files (a directory, a file and a link), then the executable.
type severalLayers struct {
	dir, exe, conf string
	store          *layout.Layout
	r              recipe
	t              target
	art            cargo.Artifact
}

func newSeveralLayers(t *testing.T) *severalLayers {
	t.Helper()
	dir := t.TempDir()
	s := &severalLayers{dir: dir, exe: filepath.Join(dir, "hello"), conf: filepath.Join(dir, "app.toml")}
	mustDo(t, os.WriteFile(s.exe, []byte("\x7fELF hello"), 0o755))
	mustDo(t, os.WriteFile(s.conf, []byte("x = 1\n"), 0o644))
	var err error
	s.store, err = layout.Create(context.Background(), filepath.Join(dir, "layout"))
	mustDo(t, err)
	extra := layerSource{name: "/etc/hello", createdBy: "krust build: extra files", what: "the extra files", from: s.conf, entries: []entrySource{
		{file: oci.File{Path: "usr/bin/hello", Type: oci.Symlink, Link: "/app/hello"}},
		{file: oci.File{Path: "etc/hello/app.toml"}, host: s.conf},
		{file: oci.File{Path: "etc/hello", Type: oci.Directory, Mode: 0o750}},
	}}
	s.r = recipe{entrypoint: "hello", created: time.Unix(1700000000, 0), compression: oci.Gzip, extra: []layerSource{extra}}
	s.t = target{platform: ocispec.Platform{OS: "linux", Architecture: "amd64"}, base: &base{}}
	s.art = cargo.Artifact{Bin: "hello", Path: s.exe}
	return s
}

// write writes the image through a new layer cache, saves the cache and
// returns the manifest, how many layers were compressed, and the log.
func (s *severalLayers) write(t *testing.T) (ocispec.Descriptor, int, string) {
	t.Helper()
	ctx := context.Background()
	var log bytes.Buffer
	compressed := 0
	lc := newLayerCache(&cargo.Project{TargetDir: s.dir}, &log, s.r.compression, func() { compressed++ })
	desc, err := writeImage(ctx, s.store, lc, s.r, s.t, []cargo.Artifact{s.art})
	mustDo(t, err)
	lc.save(ctx, s.store, []ocispec.Descriptor{desc})
	return desc, compressed, log.String()
}

// An image is its base plus the recipe's layers in order, each with its
// history entry; go-containerregistry reads every layer back as its
// diffID says.
func TestImageOfSeveralLayers(t *testing.T) {
	ctx := context.Background()
	s := newSeveralLayers(t)
	desc, compressed, _ := s.write(t)
	if compressed != 2 {
		t.Errorf("%d layers compressed, want 2", compressed)
	}
	var m ocispec.Manifest
	var cfg ocispec.Image
	mustDo(t, oci.ReadJSON(ctx, s.store, desc, oci.MaxManifestSize, &m))
	mustDo(t, oci.ReadJSON(ctx, s.store, m.Config, oci.MaxConfigSize, &cfg))
	var history []string
	for _, h := range cfg.History {
		history = append(history, h.CreatedBy)
	}
	if want := []string{"krust build: extra files", "krust build: /app/hello"}; !slices.Equal(history, want) {
		t.Errorf("history %q, want %q", history, want)
	}
	if len(m.Layers) != 2 || !slices.Equal(cfg.Config.Entrypoint, []string{"/app/hello"}) {
		t.Errorf("%d layers, entrypoint %q; want 2 and /app/hello", len(m.Layers), cfg.Config.Entrypoint)
	}
	mustDo(t, s.store.Tag(ctx, desc, "v1"))
	var want []string
	for _, id := range cfg.RootFS.DiffIDs {
		want = append(want, id.String())
	}
	if ids := ggcrcheck.Layout(t, filepath.Join(s.dir, "layout")); !slices.Equal(ids, want) || len(ids) != 2 {
		t.Errorf("go-containerregistry reads diffIDs %s, the config says %s", ids, want)
	}
}

// Each layer has its own cache entry, found and checked on its own: a
// rebuild compresses only the layers whose files changed.
func TestEachLayerIsCachedOnItsOwn(t *testing.T) {
	tests := []struct {
		name           string
		change         func(s *severalLayers) error
		wantCompressed int
		wantFromCache  []string
	}{
		{"nothing changed", func(*severalLayers) error { return nil }, 0, []string{"/etc/hello", "/app/hello"}},
		{"an extra file changed", func(s *severalLayers) error { return os.WriteFile(s.conf, []byte("x = 2\n"), 0o644) }, 1, []string{"/app/hello"}},
		{"the executable changed", func(s *severalLayers) error { return os.WriteFile(s.exe, []byte("\x7fELF other"), 0o755) }, 1, []string{"/etc/hello"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSeveralLayers(t)
			first, _, _ := s.write(t)
			mustDo(t, tc.change(s))
			again, compressed, log := s.write(t)
			if compressed != tc.wantCompressed {
				t.Errorf("%d layers compressed, want %d; log:\n%s", compressed, tc.wantCompressed, log)
			}
			for _, name := range tc.wantFromCache {
				if !strings.Contains(log, "layer for "+name+" taken from the cache") {
					t.Errorf("the layer for %s was not taken from the cache; log:\n%s", name, log)
				}
			}
			if (first.Digest == again.Digest) != (tc.wantCompressed == 0) {
				t.Errorf("manifests %s then %s", first.Digest, again.Digest)
			}
		})
	}
}
