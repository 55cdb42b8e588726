package layout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// ReadBlob reads a small blob such as a manifest, index or config. A
// descriptor larger than limit is refused with ErrTooLarge before anything
// is read; content that does not match desc yields ErrDigestMismatch.
func (l *Layout) ReadBlob(ctx context.Context, desc ocispec.Descriptor, limit int64) ([]byte, error) {
	if desc.Size > limit {
		return nil, fmt.Errorf("read blob %s from %s: size %d exceeds limit %d: %w",
			desc.Digest, l.dir, desc.Size, limit, ErrTooLarge)
	}
	rc, err := l.Fetch(ctx, desc)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("read blob %s from %s: %w", desc.Digest, l.dir, err)
	}
	return data, nil
}

// WriteBlob stores data as a sha256 blob of the given media type unless it
// is already present, and returns its descriptor. It is idempotent.
func (l *Layout) WriteBlob(ctx context.Context, mediaType string, data []byte) (ocispec.Descriptor, error) {
	desc := ocispec.Descriptor{
		MediaType: mediaType,
		Digest:    digest.FromBytes(data),
		Size:      int64(len(data)),
	}
	err := l.Push(ctx, desc, bytes.NewReader(data))
	if err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
		return ocispec.Descriptor{}, err
	}
	return desc, nil
}
