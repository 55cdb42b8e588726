package builder

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/ggcrcheck"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// zstdBase writes a layout base image with one zstd and one gzip layer
// and returns its oci: reference and layers.
func zstdBase(t *testing.T) (string, []ocispec.Descriptor) {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "base")
	src, err := layout.Create(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	var layers []oci.Layer
	for _, c := range []oci.Compression{oci.Zstd, oci.Gzip} {
		var buf bytes.Buffer
		l, err := oci.WriteLayerCompressed(&buf, []oci.File{{Path: "etc/" + string(c), Size: 2, Content: strings.NewReader("x\n")}}, time.Unix(0, 0), c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := src.WriteBlob(ctx, l.Descriptor.MediaType, buf.Bytes()); err != nil {
			t.Fatal(err)
		}
		layers = append(layers, l)
	}
	cfg := oci.NewConfig(nil, oci.ConfigOptions{Platform: ocispec.Platform{OS: "linux", Architecture: "amd64"}, Layers: []oci.AddedLayer{{Layer: layers[0]}}})
	cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs[:0], layers[0].DiffID, layers[1].DiffID)
	cfgDesc := mustWriteJSON(t, src, ocispec.MediaTypeImageConfig, cfg)
	descs := []ocispec.Descriptor{layers[0].Descriptor, layers[1].Descriptor}
	m := mustWriteJSON(t, src, ocispec.MediaTypeImageManifest, oci.NewManifest(cfgDesc, descs, nil))
	if err := src.Tag(ctx, m, "v1"); err != nil {
		t.Fatal(err)
	}
	return "oci:" + dir + ":v1", descs
}

// The new layer has the media type of the compression asked for; base
// layers keep theirs, zstd or gzip, whatever the new layer's; only zstd
// warns, naming who cannot read it.
func TestRunCompression(t *testing.T) {
	tests := []struct {
		name        string
		compression oci.Compression
		mediaType   string
		warns       bool
	}{
		{"default", "", ocispec.MediaTypeImageLayerGzip, false},
		{"gzip", oci.Gzip, ocispec.MediaTypeImageLayerGzip, false},
		{"zstd", oci.Zstd, ocispec.MediaTypeImageLayerZstd, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			var log bytes.Buffer
			base, baseLayers := zstdBase(t)
			opts.Base, opts.Compression, opts.Log = base, tt.compression, &log
			res, err := Run(context.Background(), f, opts)
			if err != nil {
				t.Fatal(err)
			}
			var m ocispec.Manifest
			if err := oci.ReadJSON(context.Background(), mustOpen(t, res.LayoutDir), res.Root, oci.MaxManifestSize, &m); err != nil {
				t.Fatal(err)
			}
			if len(m.Layers) != 3 {
				t.Fatalf("%d layers, want the base's 2 and ours", len(m.Layers))
			}
			for i, want := range baseLayers {
				if got := m.Layers[i]; got.MediaType != want.MediaType || got.Digest != want.Digest {
					t.Errorf("base layer %d became %s %s, want it kept as %s %s", i, got.MediaType, got.Digest, want.MediaType, want.Digest)
				}
			}
			if got := m.Layers[2].MediaType; got != tt.mediaType {
				t.Errorf("new layer's media type %s, want %s", got, tt.mediaType)
			}
			ggcrcheck.Layout(t, res.LayoutDir)
			warned := strings.Contains(log.String(), "warning: the layer is compressed with zstd") &&
				strings.Contains(log.String(), "Docker Engine 20.10") && strings.Contains(log.String(), "--compression gzip")
			if warned != tt.warns {
				t.Errorf("zstd warning given = %v, want %v; log:\n%s", warned, tt.warns, log.String())
			}
		})
	}
}
