package layout

import (
	"context"
	_ "crypto/sha256" // registers sha256 for go-digest
	_ "crypto/sha512" // registers sha384 and sha512 for go-digest
	"errors"
	"fmt"
	"os"
	"path/filepath"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// validateDescriptor checks that desc has a well-formed, supported digest and
// a non-negative size, so that it maps to a path inside blobs/.
func validateDescriptor(desc ocispec.Descriptor) error {
	if err := desc.Digest.Validate(); err != nil {
		return fmt.Errorf("digest %q: %w: %w", desc.Digest, ErrInvalidLayout, err)
	}
	if desc.Size < 0 {
		return fmt.Errorf("descriptor %s: negative size %d: %w", desc.Digest, desc.Size, ErrInvalidLayout)
	}
	return nil
}

// blobDir returns the directory holding blobs of desc's digest algorithm.
// desc must have been validated.
func (l *Layout) blobDir(desc ocispec.Descriptor) string {
	return filepath.Join(l.dir, blobsDir, desc.Digest.Algorithm().String())
}

// blobPath validates desc and returns the path of its blob.
func (l *Layout) blobPath(desc ocispec.Descriptor) (string, error) {
	if err := validateDescriptor(desc); err != nil {
		return "", err
	}
	return filepath.Join(l.blobDir(desc), desc.Digest.Encoded()), nil
}

// Exists reports whether desc's blob is in the layout with the right size.
func (l *Layout) Exists(ctx context.Context, desc ocispec.Descriptor) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	path, err := l.blobPath(desc)
	if err != nil {
		return false, fmt.Errorf("check blob in %s: %w", l.dir, err)
	}
	return blobFileOK(path, desc.Size)
}

// blobFileOK reports whether path is a regular file of the given size.
func blobFileOK(path string, size int64) (bool, error) {
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("stat blob %s: %w", path, err)
	}
	return info.Mode().IsRegular() && info.Size() == size, nil
}

// Size returns the size of the blob with digest dgst, for callers that know
// a digest but not a descriptor (a base image pinned by digest). A missing
// blob yields an error wrapping errdef.ErrNotFound. The content is not
// verified here: read it with ReadBlob or Fetch.
func (l *Layout) Size(dgst digest.Digest) (int64, error) {
	path, err := l.blobPath(ocispec.Descriptor{Digest: dgst})
	if err != nil {
		return 0, fmt.Errorf("look up blob in %s: %w", l.dir, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("look up blob %s in %s: %w", dgst, l.dir, notFound(err))
	}
	if !info.Mode().IsRegular() {
		return 0, fmt.Errorf("blob %s in %s is not a regular file: %w", dgst, l.dir, ErrInvalidLayout)
	}
	return info.Size(), nil
}
