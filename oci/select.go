package oci

import (
	"fmt"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// IsIndex reports whether mediaType is an image index (OCI or Docker).
func IsIndex(mediaType string) bool {
	return mediaType == ocispec.MediaTypeImageIndex || mediaType == DockerIndex
}

// IsManifest reports whether mediaType is an image manifest (OCI or
// Docker).
func IsManifest(mediaType string) bool {
	return mediaType == ocispec.MediaTypeImageManifest || mediaType == DockerManifest
}

// IndexPlatforms lists the platforms of idx's entries, leaving out those
// without a real platform, such as buildkit's attestations (unknown/unknown).
func IndexPlatforms(idx ocispec.Index) []ocispec.Platform {
	var out []ocispec.Platform
	for _, m := range idx.Manifests {
		if m.Platform != nil && m.Platform.OS != "unknown" && m.Platform.Architecture != "unknown" {
			out = append(out, *m.Platform)
		}
	}
	return out
}

// SelectPlatform returns idx's entry for platform; when there is none, the
// error lists the platforms idx has.
func SelectPlatform(idx ocispec.Index, platform ocispec.Platform) (ocispec.Descriptor, error) {
	var have []string
	for _, m := range idx.Manifests {
		if m.Platform == nil || m.Platform.OS == "unknown" || m.Platform.Architecture == "unknown" {
			continue
		}
		if SamePlatform(*m.Platform, platform) {
			return m, nil
		}
		have = append(have, PlatformString(*m.Platform))
	}
	return ocispec.Descriptor{}, fmt.Errorf("it has no image for %s; it has: %s (choose one with --platform, or another base)",
		PlatformString(platform), strings.Join(have, ", "))
}
