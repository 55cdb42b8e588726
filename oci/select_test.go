package oci

import (
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
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
