package oci

import (
	"context"
	"fmt"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
)

// imagePlatform returns the platform of index entry m, and false for an
// entry that names no image to run: one without a platform, or one whose
// OS or architecture is "unknown", as buildkit marks its attestation
// manifests. It is the one filter every reader of an index applies.
func imagePlatform(m ocispec.Descriptor) (ocispec.Platform, bool) {
	if m.Platform == nil || m.Platform.OS == "unknown" || m.Platform.Architecture == "unknown" {
		return ocispec.Platform{}, false
	}
	return *m.Platform, true
}

// IndexPlatforms lists the platforms of idx's entries, leaving out those
// without a real platform, such as buildkit's attestations (unknown/unknown).
func IndexPlatforms(idx ocispec.Index) []ocispec.Platform {
	var out []ocispec.Platform
	for _, m := range idx.Manifests {
		if p, ok := imagePlatform(m); ok {
			out = append(out, p)
		}
	}
	return out
}

// SelectPlatform returns idx's entry for platform; when there is none, the
// error lists the platforms idx has.
func SelectPlatform(idx ocispec.Index, platform ocispec.Platform) (ocispec.Descriptor, error) {
	var have []string
	for _, m := range idx.Manifests {
		p, ok := imagePlatform(m)
		if !ok {
			continue
		}
		if SamePlatform(p, platform) {
			return m, nil
		}
		have = append(have, PlatformString(p))
	}
	return ocispec.Descriptor{}, fmt.Errorf("it has no image for %s; it has: %s (choose one with --platform, or another base)",
		PlatformString(platform), strings.Join(have, ", "))
}

// SelectManifest returns the image manifest for platform that desc names
// in f: desc itself when it is not an index, else the index's entry for
// platform, read with ReadJSON.
func SelectManifest(ctx context.Context, f content.Fetcher, desc ocispec.Descriptor, platform ocispec.Platform) (ocispec.Descriptor, error) {
	if !IsIndex(desc.MediaType) {
		return desc, nil
	}
	var idx ocispec.Index
	if err := ReadJSON(ctx, f, desc, MaxManifestSize, &idx); err != nil {
		return ocispec.Descriptor{}, err
	}
	m, err := SelectPlatform(idx, platform)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("index %s: %w", desc.Digest, err)
	}
	return m, nil
}
