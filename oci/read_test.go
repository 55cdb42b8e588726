package oci_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
)

func TestPlatformsOfImageAndIndex(t *testing.T) {
	ctx := context.Background()
	store, err := layout.Create(ctx, t.TempDir())
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
	if _, err := oci.Platforms(ctx, store, big); !errors.Is(err, errdef.ErrSizeExceedsLimit) || !strings.Contains(err.Error(), "allowed") {
		t.Errorf("an oversized index gave %v, want errdef.ErrSizeExceedsLimit saying what is allowed", err)
	}
}

// lyingFetcher serves body for every descriptor, as a registry or proxy
// that returns the wrong bytes would: oras's memory store and the layout
// both refuse to hold such content, so it cannot be set up otherwise.
type lyingFetcher struct{ body string }

func (f lyingFetcher) Fetch(context.Context, ocispec.Descriptor) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader(f.body)), nil
}

// TestReadJSONErrors checks that the one reader of small documents
// refuses, with an error callers can test with errors.Is, each way a
// document can be wrong, from a layout (real files) and from any other
// oras content.Fetcher.
func TestReadJSONErrors(t *testing.T) {
	ctx := context.Background()
	store, err := layout.Create(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	good := []byte(`{"architecture":"arm64","os":"linux"}`)
	desc, err := store.WriteBlob(ctx, ocispec.MediaTypeImageConfig, good)
	if err != nil {
		t.Fatal(err)
	}
	notJSON, err := store.WriteBlob(ctx, ocispec.MediaTypeImageConfig, []byte("not json"))
	if err != nil {
		t.Fatal(err)
	}
	damaged, err := store.WriteBlob(ctx, ocispec.MediaTypeImageConfig, []byte(`{"os":"linux"}`))
	if err != nil {
		t.Fatal(err)
	}
	// Same size, other bytes: only the digest tells.
	if err := os.WriteFile(filepath.Join(store.Dir(), "blobs", "sha256", damaged.Digest.Encoded()), []byte(`{"os":"plan9"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: digest.FromString("absent"), Size: 6}
	tests := []struct {
		name  string
		f     content.Fetcher
		desc  ocispec.Descriptor
		limit int64
		want  []error // nil: no error
	}{
		{"ok", store, desc, int64(len(good)), nil},
		{"too large", store, desc, int64(len(good)) - 1, []error{errdef.ErrSizeExceedsLimit}},
		{"too large, huge size never fetched", lyingFetcher{}, ocispec.Descriptor{Digest: desc.Digest, Size: 1 << 50}, oci.MaxConfigSize, []error{errdef.ErrSizeExceedsLimit}},
		{"wrong digest in the layout", store, damaged, oci.MaxConfigSize, []error{content.ErrMismatchedDigest, layout.ErrDigestMismatch}},
		{"wrong digest from a fetcher", lyingFetcher{strings.Replace(string(good), "linux", "plan9", 1)}, desc, oci.MaxConfigSize, []error{content.ErrMismatchedDigest}},
		{"longer than its descriptor", lyingFetcher{string(good) + " "}, desc, oci.MaxConfigSize, []error{content.ErrMismatchedDigest}},
		{"shorter than its descriptor", lyingFetcher{string(good[:10])}, desc, oci.MaxConfigSize, []error{content.ErrMismatchedDigest}},
		{"not JSON", store, notJSON, oci.MaxConfigSize, []error{oci.ErrNotJSON}},
		{"not found", store, missing, oci.MaxConfigSize, []error{errdef.ErrNotFound}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg ocispec.Image
			err := oci.ReadJSON(ctx, tt.f, tt.desc, tt.limit, &cfg)
			if tt.want == nil {
				if err != nil || cfg.Architecture != "arm64" {
					t.Fatalf("ReadJSON = %v, %+v; want the config", err, cfg.Platform)
				}
				return
			}
			if err == nil {
				t.Fatalf("ReadJSON read %+v, want an error", cfg)
			}
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("ReadJSON error %v does not wrap %v", err, want)
				}
			}
			if !strings.Contains(err.Error(), tt.desc.Digest.Encoded()[:12]) {
				t.Errorf("ReadJSON error %v does not name the document", err)
			}
		})
	}
}
