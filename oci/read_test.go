package oci_test

import (
	"context"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestPlatformsOfImageAndIndex(t *testing.T) {
	ctx := context.Background()
	store, err := layout.Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	put := func(mediaType string, v any) ocispec.Descriptor {
		t.Helper()
		desc, data, err := oci.Encode(mediaType, v)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.WriteBlob(ctx, mediaType, data); err != nil {
			t.Fatal(err)
		}
		return desc
	}
	cfg := put(ocispec.MediaTypeImageConfig, ocispec.Image{Platform: ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}})
	man := put(ocispec.MediaTypeImageManifest, oci.NewManifest(cfg, nil, nil))
	got, err := oci.Platforms(ctx, store, man)
	if err != nil || len(got) != 1 || oci.PlatformString(got[0]) != "linux/arm/v7" {
		t.Errorf("image platforms %v, %v", got, err)
	}
	man.Platform = &ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	att := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: man.Digest, Size: man.Size, Platform: &ocispec.Platform{OS: "unknown", Architecture: "unknown"}}
	idx := put(ocispec.MediaTypeImageIndex, oci.NewIndex([]ocispec.Descriptor{man, att}, nil))
	if got, err := oci.Platforms(ctx, store, idx); err != nil || len(got) != 1 {
		t.Errorf("index platforms %v, %v: want linux/arm/v7 only", got, err)
	}
	big := idx
	big.Size = oci.MaxManifestSize + 1
	if _, err := oci.Platforms(ctx, store, big); err == nil || !strings.Contains(err.Error(), "allowed") {
		t.Errorf("an oversized index gave %v", err)
	}
}
