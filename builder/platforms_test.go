package builder

import (
	"context"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/oci"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestRunSeveralPlatformsMakesAnIndex(t *testing.T) {
	tests := []struct {
		name string
		set  func(o *testBuild)
		want []string
	}{
		{"two listed", func(o *testBuild) {
			o.Platforms = []ocispec.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}
		}, []string{"linux/amd64", "linux/arm64"}},
		{"all on scratch", func(o *testBuild) { o.Platforms, o.AllPlatforms = nil, true }, []string{"linux/amd64", "linux/arm64", "linux/arm/v7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			tt.set(&opts)
			res, err := Run(context.Background(), f, opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Root.MediaType != ocispec.MediaTypeImageIndex {
				t.Fatalf("tagged %s, want an index", res.Root.MediaType)
			}
			if f.builds != 1 {
				t.Errorf("cargo ran %d times, want once for all platforms", f.builds)
			}
			idx, err := layout.ImageIndexFromPath(res.LayoutDir)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Index(idx); err != nil {
				t.Fatalf("go-containerregistry rejects the layout: %v", err)
			}
			var got []string
			store := mustOpen(t, res.LayoutDir)
			var index ocispec.Index
			if err := oci.ReadJSON(context.Background(), store, res.Root, oci.MaxManifestSize, &index); err != nil {
				t.Fatal(err)
			}
			for _, m := range index.Manifests {
				got = append(got, oci.PlatformString(*m.Platform))
				var cfg ocispec.Image
				var man ocispec.Manifest
				if err := oci.ReadJSON(context.Background(), store, m, oci.MaxManifestSize, &man); err != nil {
					t.Fatal(err)
				}
				if err := oci.ReadJSON(context.Background(), store, man.Config, oci.MaxConfigSize, &cfg); err != nil {
					t.Fatal(err)
				}
				if !oci.SamePlatform(cfg.Platform, *m.Platform) {
					t.Errorf("config says %s, index says %s", oci.PlatformString(cfg.Platform), oci.PlatformString(*m.Platform))
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("index platforms %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("index platforms %v, want %v", got, tt.want)
				}
			}
			if index.Annotations[ocispec.AnnotationTitle] != "svc" {
				t.Errorf("index annotations %v lack the title", index.Annotations)
			}
		})
	}
}

// Platforms are written at once; a failure is reported for every platform
// it happened to, not only the first, and nothing is tagged.
func TestRunReportsEveryFailedPlatform(t *testing.T) {
	f, opts := newFake(t)
	f.noFile = true
	opts.Platforms = []ocispec.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}, {OS: "linux", Architecture: "arm", Variant: "v7"}}
	_, err := Run(context.Background(), f, opts)
	if err == nil {
		t.Fatal("Run succeeded with no executables")
	}
	for _, p := range []string{"linux/amd64: ", "linux/arm64: ", "linux/arm/v7: "} {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not name %s", err, p)
		}
	}
}
