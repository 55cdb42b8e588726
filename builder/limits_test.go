package builder

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// manyKeys returns n entries that together take about total bytes.
func manyKeys(n, total int) map[string]string { return prefixedKeys("org.example.k", n, total) }

func prefixedKeys(prefix string, n, total int) map[string]string {
	m := map[string]string{}
	for i := range n {
		k := fmt.Sprintf("%s%06d", prefix, i)
		m[k] = strings.Repeat("v", total/n-len(k))
	}
	return m
}

func TestOversizeSettingsAreRefusedBeforeCargo(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *fakeCargo, o *testBuild)
		want   []string
	}{
		{"one huge annotation", func(_ *fakeCargo, o *testBuild) {
			o.Annotations = map[string]string{"small": "x", "org.example.blob": strings.Repeat("a", 5<<20)}
		}, []string{"annotations take 52", "have in an image manifest", "4194304", `largest is "org.example.blob"`, "--annotation"}},
		{"many annotations", func(_ *fakeCargo, o *testBuild) { o.Annotations = manyKeys(5000, 4<<20) },
			[]string{"annotations take", "have in an image manifest", "--annotation"}},
		{"description in Cargo.toml", func(f *fakeCargo, _ *testBuild) {
			f.project.Packages[0].Description = strings.Repeat("long ", 1<<20)
		}, []string{"annotations take", `largest is "org.opencontainers.image.description"`, "Cargo.toml's description"}},
		{"labels", func(_ *fakeCargo, o *testBuild) { o.ImageConfig.Labels = manyKeys(100, 9<<20) },
			[]string{"labels take", "have in an image config", "8388608", "--label"}},
		{"env", func(_ *fakeCargo, o *testBuild) {
			o.ImageConfig.Env = map[string]string{"BLOB": strings.Repeat("e", 8<<20)}
		},
			[]string{"env take", `largest is "BLOB"`, "--env"}},
		{"labels and env together", func(_ *fakeCargo, o *testBuild) {
			o.ImageConfig.Labels = manyKeys(10, 4<<20)
			o.ImageConfig.Env = map[string]string{"BLOB": strings.Repeat("e", 4<<20)}
		}, []string{"the image settings take 83", "labels 41", "have in an image config"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			tt.change(f, &opts)
			_, err := Run(context.Background(), f, opts)
			if err == nil {
				t.Fatal("Run succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if len(err.Error()) > 1000 {
				t.Errorf("error is %d bytes long; it must not quote the settings", len(err.Error()))
			}
			if f.builds != 0 {
				t.Errorf("cargo ran %d times: sizes must be checked before it runs", f.builds)
			}
		})
	}
}

// TestSettingsAtTheLimitAreReadBack builds with as many annotations and
// labels as are allowed and reads the documents back with krust's own
// limits: what krust writes, krust reads.
func TestSettingsAtTheLimitAreReadBack(t *testing.T) {
	f, opts := newFake(t)
	opts.Annotations = manyKeys(1000, manifestRoom-100_000)
	opts.ImageConfig.Labels = manyKeys(1000, configRoom-100_000)
	res, err := Run(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	store := mustOpen(t, res.LayoutDir)
	var m ocispec.Manifest
	if err := oci.ReadJSON(context.Background(), store, res.Root, oci.MaxManifestSize, &m); err != nil {
		t.Fatalf("read back the manifest (%d bytes): %v", res.Root.Size, err)
	}
	var cfg ocispec.Image
	if err := oci.ReadJSON(context.Background(), store, m.Config, oci.MaxConfigSize, &cfg); err != nil {
		t.Fatalf("read back the config (%d bytes): %v", m.Config.Size, err)
	}
	if len(m.Annotations) < 1000 || len(cfg.Config.Labels) != 1000 {
		t.Errorf("manifest has %d annotations, config %d labels; want the 1000 given", len(m.Annotations), len(cfg.Config.Labels))
	}
}

// TestBaseConfigCountsTowardsTheLimit builds on a layout base whose config
// is nearly at krust's limit: the labels that still fit alone do not fit
// with it, and this is found before cargo runs.
func TestBaseConfigCountsTowardsTheLimit(t *testing.T) {
	ctx := context.Background()
	f, opts := newFake(t)
	baseDir := filepath.Join(t.TempDir(), "base")
	src, err := layout.Create(context.Background(), baseDir)
	if err != nil {
		t.Fatal(err)
	}
	layer := mustWriteLayer(t, src, oci.File{Path: "etc/motd", Size: 5, Content: strings.NewReader("base\n")})
	cfg := oci.NewConfig(nil, oci.ConfigOptions{
		Platform: ocispec.Platform{OS: "linux", Architecture: "amd64"},
		Layers:   []oci.AddedLayer{{Layer: layer}},
		Image:    oci.ImageSettings{Labels: prefixedKeys("org.example.base", 10, oci.MaxConfigSize-(1<<20))},
	})
	cfgDesc := mustWriteJSON(t, src, ocispec.MediaTypeImageConfig, cfg)
	mDesc := mustWriteJSON(t, src, ocispec.MediaTypeImageManifest, oci.NewManifest(cfgDesc, []ocispec.Descriptor{layer.Descriptor}, nil))
	if err := src.Tag(ctx, mDesc, "v1"); err != nil {
		t.Fatal(err)
	}
	opts.Base = "oci:" + baseDir + ":v1"
	opts.ImageConfig.Labels = manyKeys(10, 2<<20)
	_, err = Run(ctx, f, opts)
	if err == nil || !strings.Contains(err.Error(), "image config would take") || !strings.Contains(err.Error(), "use another base") {
		t.Fatalf("Run = %v, want the config size refused", err)
	}
	if f.builds != 0 {
		t.Errorf("cargo ran %d times: sizes must be checked before it runs", f.builds)
	}
}

func mustWriteJSON(t *testing.T, store *layout.Layout, mediaType string, v any) ocispec.Descriptor {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := store.WriteBlob(context.Background(), mediaType, data)
	if err != nil {
		t.Fatal(err)
	}
	return desc
}

// mustWriteLayer writes a layer of files into store and returns it.
func mustWriteLayer(t *testing.T, store *layout.Layout, files ...oci.File) oci.Layer {
	t.Helper()
	var buf bytes.Buffer
	layer, err := oci.WriteLayer(&buf, files, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	desc, err := store.WriteBlob(context.Background(), layer.Descriptor.MediaType, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if desc.Digest != layer.Descriptor.Digest || desc.Size != layer.Descriptor.Size {
		t.Fatalf("layer stored as %s (%d bytes), written as %s (%d bytes)", desc.Digest, desc.Size, layer.Descriptor.Digest, layer.Descriptor.Size)
	}
	return layer
}

// Every layer the recipe adds counts towards the manifest's and config's
// limits, not only the base's: thousands of them are refused before cargo
// runs, and the message counts them.
func TestOwnLayersCountTowardsTheLimit(t *testing.T) {
	tgt := target{platform: ocispec.Platform{OS: "linux", Architecture: "amd64"}, base: &base{}}
	tests := []struct {
		name    string
		extra   int
		wantErr string
	}{
		{"the executable's alone", 0, ""},
		{"a few more", 10, ""},
		{"thousands more", 30000, "its own 30001"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := recipe{entrypoint: "hello", compression: oci.Gzip, extra: make([]layerSource, tc.extra)}
			err := checkDocuments(r, tgt, []string{"hello"})
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("checkDocuments: %v, want an error saying %q (none if empty)", err, tc.wantErr)
			}
		})
	}
}
