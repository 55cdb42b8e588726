package oci

import (
	"context"
	"encoding/json"
	"fmt"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
)

// Size limits for the JSON documents of an image, checked against their
// descriptors before anything is read.
const (
	MaxManifestSize = 4 << 20
	MaxConfigSize   = 8 << 20
)

// ReadJSON fetches desc from f (a layout or a registry repository),
// refusing it before reading when it is larger than limit, verifies its
// size and digest, and decodes it into v.
func ReadJSON(ctx context.Context, f content.Fetcher, desc ocispec.Descriptor, limit int64, v any) error {
	if desc.Size > limit {
		return fmt.Errorf("%s is %d bytes, more than the %d allowed for it", desc.Digest, desc.Size, limit)
	}
	rc, err := f.Fetch(ctx, desc)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", desc.Digest, err)
	}
	defer rc.Close()
	data, err := content.ReadAll(rc, desc)
	if err != nil {
		return fmt.Errorf("read %s: %w", desc.Digest, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s (%s): %w", desc.Digest, desc.MediaType, err)
	}
	return nil
}

// Platforms lists the platforms of the image or index desc names in f:
// an index's entries (attestations left out), or an image's own, from
// its config.
func Platforms(ctx context.Context, f content.Fetcher, desc ocispec.Descriptor) ([]ocispec.Platform, error) {
	if IsIndex(desc.MediaType) {
		var idx ocispec.Index
		if err := ReadJSON(ctx, f, desc, MaxManifestSize, &idx); err != nil {
			return nil, err
		}
		return IndexPlatforms(idx), nil
	}
	var m ocispec.Manifest
	if err := ReadJSON(ctx, f, desc, MaxManifestSize, &m); err != nil {
		return nil, err
	}
	var cfg ocispec.Image
	if err := ReadJSON(ctx, f, m.Config, MaxConfigSize, &cfg); err != nil {
		return nil, err
	}
	return []ocispec.Platform{cfg.Platform}, nil
}
