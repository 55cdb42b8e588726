package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
)

// Size limits for the JSON documents of an image, checked against their
// descriptors before anything is read.
const (
	MaxManifestSize = 4 << 20
	MaxConfigSize   = 8 << 20
)

// ErrNotJSON reports a document that is not the JSON its media type says.
var ErrNotJSON = errors.New("not a valid JSON document")

// ReadBlob reads the small blob desc names from f (a layout or a registry
// repository: any oras content.Fetcher) and verifies it. Every reader of
// manifests, indexes and configs goes through it, so each is bounded and
// verified the same way:
//   - desc larger than limit is refused before anything is fetched, with
//     an error wrapping errdef.ErrSizeExceedsLimit;
//   - content whose size or digest differs from desc's gives an error
//     wrapping content.ErrMismatchedDigest, after reading no more than
//     desc.Size+1 bytes;
//   - f's own errors (errdef.ErrNotFound for a missing blob) are wrapped.
func ReadBlob(ctx context.Context, f content.Fetcher, desc ocispec.Descriptor, limit int64) ([]byte, error) {
	if desc.Size > limit {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed for it: %w", desc.Digest, desc.Size, limit, errdef.ErrSizeExceedsLimit)
	}
	// Checked first: hashing with an algorithm go-digest lacks panics.
	if err := desc.Digest.Validate(); err != nil {
		return nil, fmt.Errorf("read %q: invalid descriptor: %w", desc.Digest, err)
	}
	rc, err := f.Fetch(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", desc.Digest, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, desc.Size+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", desc.Digest, err)
	}
	if int64(len(data)) != desc.Size {
		return nil, fmt.Errorf("read %s: got %s%d bytes, want %d: %w", desc.Digest, atLeast(data, desc), len(data), desc.Size, content.ErrMismatchedDigest)
	}
	if got := desc.Digest.Algorithm().FromBytes(data); got != desc.Digest {
		return nil, fmt.Errorf("read %s: content has digest %s: %w", desc.Digest, got, content.ErrMismatchedDigest)
	}
	return data, nil
}

// atLeast says "at least " when more bytes came than desc.Size: the
// reading stopped one byte past it.
func atLeast(data []byte, desc ocispec.Descriptor) string {
	if int64(len(data)) > desc.Size {
		return "at least "
	}
	return ""
}

// Decode decodes the document data read for desc into v; data that is not
// JSON gives an error wrapping ErrNotJSON.
func Decode(desc ocispec.Descriptor, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s (%s): %w: %w", desc.Digest, desc.MediaType, ErrNotJSON, err)
	}
	return nil
}

// ReadJSON reads desc from f with ReadBlob and decodes it into v with
// Decode; its errors are theirs.
func ReadJSON(ctx context.Context, f content.Fetcher, desc ocispec.Descriptor, limit int64, v any) error {
	data, err := ReadBlob(ctx, f, desc, limit)
	if err != nil {
		return err
	}
	return Decode(desc, data, v)
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

// WithManifests returns desc and, when it names an index in f, the
// manifests it lists, in its order: what a signature or a push of desc
// covers.
func WithManifests(ctx context.Context, f content.Fetcher, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
	out := []ocispec.Descriptor{desc}
	if !IsIndex(desc.MediaType) {
		return out, nil
	}
	var idx ocispec.Index
	if err := ReadJSON(ctx, f, desc, MaxManifestSize, &idx); err != nil {
		return nil, fmt.Errorf("read index %s: %w", desc.Digest, err)
	}
	return append(out, idx.Manifests...), nil
}
