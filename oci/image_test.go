package oci

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/ggcrcheck"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// testLayout is an OCI layout being written by hand, so that what is
// checked is oci's documents alone.
type testLayout struct {
	t   *testing.T
	dir string
}

func (l testLayout) blob(data []byte) {
	l.t.Helper()
	p := filepath.Join(l.dir, "blobs", "sha256", digest.FromBytes(data).Encoded())
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		l.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		l.t.Fatal(err)
	}
}

func (l testLayout) json(mediaType string, v any) ocispec.Descriptor {
	l.t.Helper()
	desc, data, err := Encode(mediaType, v)
	if err != nil {
		l.t.Fatal(err)
	}
	l.blob(data)
	return desc
}

// tag writes oci-layout and an index.json listing image alone.
func (l testLayout) tag(image ocispec.Descriptor) {
	l.t.Helper()
	idx, err := json.Marshal(NewIndex([]ocispec.Descriptor{image}, nil))
	if err != nil {
		l.t.Fatal(err)
	}
	for name, data := range map[string][]byte{"index.json": idx, "oci-layout": []byte(`{"imageLayoutVersion":"1.0.0"}`)} {
		if err := os.WriteFile(filepath.Join(l.dir, name), data, 0o644); err != nil {
			l.t.Fatal(err)
		}
	}
}

// addedLayer writes a layer of files into l, made by createdBy.
func (l testLayout) addedLayer(createdBy string, files ...File) AddedLayer {
	l.t.Helper()
	var buf strings.Builder
	layer, err := WriteLayer(&buf, files, layerTime)
	if err != nil {
		l.t.Fatal(err)
	}
	l.blob([]byte(buf.String()))
	return AddedLayer{Layer: layer, CreatedBy: createdBy}
}

// An image is a base plus an ordered list of layers: each added layer
// gets its diffID and history entry after the base's, in order, and its
// descriptor after the base's layers; go-containerregistry reads the
// image back with every layer matching its diffID.
func TestImageOfManyLayers(t *testing.T) {
	l := testLayout{t: t, dir: t.TempDir()}
	baseLayer := l.addedLayer("base", File{Path: "etc/os-release", Size: 3, Content: strings.NewReader("id\n")})
	base := &ocispec.Image{
		RootFS:  ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{baseLayer.DiffID}},
		History: []ocispec.History{{CreatedBy: "base"}, {CreatedBy: "ENV X=1", EmptyLayer: true}},
	}
	exe := l.addedLayer("krust build: /app/hello", File{Path: "app/hello", Mode: 0o755, Size: 2, Content: strings.NewReader("hi")})
	extra := l.addedLayer("krust build: extra files",
		File{Path: "etc/hello", Type: Directory, Mode: 0o750},
		File{Path: "usr/bin/hello", Type: Symlink, Link: "/app/hello"})
	tests := []struct {
		name        string
		added       []AddedLayer
		wantHistory []string
	}{
		{"none", nil, []string{"base", "ENV X=1"}},
		{"one", []AddedLayer{exe}, []string{"base", "ENV X=1", exe.CreatedBy}},
		{"two", []AddedLayer{exe, extra}, []string{"base", "ENV X=1", exe.CreatedBy, extra.CreatedBy}},
		{"two the other way", []AddedLayer{extra, exe}, []string{"base", "ENV X=1", extra.CreatedBy, exe.CreatedBy}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			platform := ocispec.Platform{OS: "linux", Architecture: "amd64"}
			cfg := NewConfig(base, ConfigOptions{Platform: platform, Entrypoint: []string{"/app/hello"}, Layers: tc.added, Created: layerTime})
			wantIDs := []string{baseLayer.DiffID.String()}
			wantLayers := []digest.Digest{baseLayer.Descriptor.Digest}
			for _, a := range tc.added {
				wantIDs = append(wantIDs, a.DiffID.String())
				wantLayers = append(wantLayers, a.Descriptor.Digest)
			}
			var history []string
			for _, h := range cfg.History {
				history = append(history, h.CreatedBy)
			}
			if !slices.Equal(history, tc.wantHistory) {
				t.Errorf("history %q, want %q", history, tc.wantHistory)
			}
			cfgDesc := l.json(ocispec.MediaTypeImageConfig, cfg)
			m := NewImageManifest(cfgDesc, []ocispec.Descriptor{baseLayer.Descriptor}, tc.added, nil)
			var layers []digest.Digest
			for _, d := range m.Layers {
				layers = append(layers, d.Digest)
			}
			if !slices.Equal(layers, wantLayers) {
				t.Errorf("manifest layers %s, want %s", layers, wantLayers)
			}
			image := l.json(ocispec.MediaTypeImageManifest, m)
			image.Platform = &platform
			l.tag(image)
			if ids := ggcrcheck.Layout(t, l.dir); !slices.Equal(ids, wantIDs) {
				t.Errorf("go-containerregistry reads diffIDs %s, want %s", ids, wantIDs)
			}
		})
	}
}
