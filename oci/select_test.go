package oci

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content/memory"
	"oras.land/oras-go/v2/errdef"
)

func TestSelectPlatform(t *testing.T) {
	idx := ocispec.Index{Manifests: []ocispec.Descriptor{
		{Digest: "sha256:amd", Platform: &ocispec.Platform{OS: "linux", Architecture: "amd64"}},
		{Digest: "sha256:arm", Platform: &ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{Digest: "sha256:att", Platform: &ocispec.Platform{OS: "unknown", Architecture: "unknown"}},
		{Digest: "sha256:none"},
	}}
	tests := []struct {
		want    ocispec.Platform
		digest  string
		wantErr string
	}{
		{ocispec.Platform{OS: "linux", Architecture: "amd64"}, "sha256:amd", ""},
		{ocispec.Platform{OS: "linux", Architecture: "arm64"}, "sha256:arm", ""},
		{ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, "", "it has: linux/amd64, linux/arm64/v8 ("},
		{ocispec.Platform{OS: "unknown", Architecture: "unknown"}, "", "no image for unknown/unknown"},
	}
	for _, tt := range tests {
		got, err := SelectPlatform(idx, tt.want)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("SelectPlatform(%s) error %v, want %q", PlatformString(tt.want), err, tt.wantErr)
			}
			continue
		}
		if err != nil || string(got.Digest) != tt.digest {
			t.Errorf("SelectPlatform(%s) = %s, %v; want %s", PlatformString(tt.want), got.Digest, err, tt.digest)
		}
	}
	if got := IndexPlatforms(idx); len(got) != 2 {
		t.Errorf("IndexPlatforms = %v, want amd64 and arm64/v8 only", got)
	}
	for mt, want := range map[string][2]bool{
		ocispec.MediaTypeImageIndex: {true, false}, DockerIndex: {true, false},
		ocispec.MediaTypeImageManifest: {false, true}, DockerManifest: {false, true}, "application/json": {false, false},
	} {
		if IsIndex(mt) != want[0] || IsManifest(mt) != want[1] {
			t.Errorf("IsIndex/IsManifest(%s) = %v/%v, want %v", mt, IsIndex(mt), IsManifest(mt), want)
		}
	}
}

// TestSelectManifest checks the one platform selector, which build (a base
// from a layout) and remote (a pulled base) both use, on an index with
// the entries real indexes have: variants written or left out, a buildkit
// attestation (unknown/unknown) and an entry without a platform. The one
// attestation filter means IndexPlatforms lists exactly what
// SelectManifest can select.
func TestSelectManifest(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	entry := func(name string, p *ocispec.Platform) ocispec.Descriptor {
		return ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString(name), Size: 1, Platform: p}
	}
	idx := ocispec.Index{Manifests: []ocispec.Descriptor{
		entry("amd64", &ocispec.Platform{OS: "linux", Architecture: "amd64"}),
		entry("arm64", &ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}),
		entry("arm", &ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}),
		entry("attestation", &ocispec.Platform{OS: "unknown", Architecture: "unknown"}),
		entry("half-attestation", &ocispec.Platform{OS: "linux", Architecture: "unknown"}),
		entry("none", nil),
	}}
	var descs []ocispec.Descriptor
	for _, mt := range []string{ocispec.MediaTypeImageIndex, DockerIndex} {
		desc, data, err := Encode(mt, idx)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Push(ctx, desc, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		descs = append(descs, desc)
	}
	tests := []struct {
		platform string
		want     string // the entry's name; "" for an error
	}{
		{"linux/amd64", "amd64"},
		{"linux/arm64", "arm64"},
		{"linux/arm64/v8", "arm64"},
		{"linux/aarch64", "arm64"},
		{"linux/arm", "arm"},
		{"linux/arm/v7", "arm"},
		{"linux/arm/v6", ""},
		{"linux/s390x", ""},
		{"unknown/unknown", ""},
		{"linux/unknown", ""},
	}
	for _, desc := range descs {
		for _, tt := range tests {
			t.Run(desc.MediaType+" "+tt.platform, func(t *testing.T) {
				p, err := ParsePlatform(tt.platform)
				if err != nil {
					t.Fatal(err)
				}
				got, err := SelectManifest(ctx, store, desc, p)
				if tt.want == "" {
					if err == nil || !strings.Contains(err.Error(), "it has: linux/amd64, linux/arm64/v8, linux/arm/v7 (") {
						t.Errorf("SelectManifest = %s, %v; want an error listing the index's platforms", got.Digest, err)
					}
					return
				}
				if err != nil || got.Digest != digest.FromString(tt.want) {
					t.Errorf("SelectManifest = %s, %v; want the %s entry", got.Digest, err, tt.want)
				}
			})
		}
	}
	listed := IndexPlatforms(idx)
	if len(listed) != 3 {
		t.Errorf("IndexPlatforms = %v, want the three real platforms", listed)
	}
	for _, p := range listed {
		if _, err := SelectPlatform(idx, p); err != nil {
			t.Errorf("IndexPlatforms lists %s, which SelectPlatform refuses: %v", PlatformString(p), err)
		}
	}
	// A manifest is its own selection, whatever the platform: its config
	// says which it is, and the caller checks that.
	m := entry("amd64", nil)
	if got, err := SelectManifest(ctx, store, m, ocispec.Platform{OS: "linux", Architecture: "arm64"}); err != nil || got.Digest != m.Digest {
		t.Errorf("SelectManifest of a manifest = %s, %v", got.Digest, err)
	}
	// An index that cannot be read is the reader's error.
	missing := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageIndex, Digest: digest.FromString("absent"), Size: 2}
	if _, err := SelectManifest(ctx, store, missing, ocispec.Platform{OS: "linux", Architecture: "amd64"}); !errors.Is(err, errdef.ErrNotFound) {
		t.Errorf("SelectManifest of a missing index: %v, want errdef.ErrNotFound", err)
	}
}
