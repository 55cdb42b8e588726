package layout

import (
	"context"
	_ "crypto/sha256" // registers sha256 for go-digest
	_ "crypto/sha512" // registers sha384 and sha512 for go-digest
	"errors"
	"fmt"
	"io/fs"
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

// blobDirName returns the directory, relative to the layout, holding
// blobs of desc's digest algorithm. desc must have been validated.
func blobDirName(desc ocispec.Descriptor) string {
	return filepath.Join(blobsDir, desc.Digest.Algorithm().String())
}

// blobName validates desc and returns its blob's path relative to the
// layout.
func blobName(desc ocispec.Descriptor) (string, error) {
	if err := validateDescriptor(desc); err != nil {
		return "", err
	}
	return filepath.Join(blobDirName(desc), desc.Digest.Encoded()), nil
}

// Exists reports whether desc's blob is in the layout with the right size
// and content. The content is hashed: a blob that was damaged on disk
// (same size, other bytes) is reported missing, so that whoever would
// reuse it writes it again instead. An entry that is not a regular file,
// or a link out of the layout, is an error.
func (l *Layout) Exists(ctx context.Context, desc ocispec.Descriptor) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	name, err := blobName(desc)
	if err != nil {
		return false, fmt.Errorf("check blob in %s: %w", l.dir, err)
	}
	root, err := openRoot(l.dir)
	if err != nil {
		return false, fmt.Errorf("check blob %s: %w", desc.Digest, err)
	}
	defer root.Close()
	return blobIntact(ctx, root, name, desc)
}

// blobIntact reports whether the blob file name inside root holds exactly
// desc's content. A missing file is not an error.
func blobIntact(ctx context.Context, root *os.Root, name string, desc ocispec.Descriptor) (bool, error) {
	f, info, err := openRegularIn(root, name)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check blob %s: %w", desc.Digest, err)
	}
	defer f.Close()
	if info.Size() != desc.Size {
		return false, nil
	}
	h := desc.Digest.Algorithm().Hash()
	if _, err := copyContext(ctx, h, f); err != nil {
		return false, fmt.Errorf("check blob %s: read %s: %w", desc.Digest, f.Name(), err)
	}
	return desc.Digest.Algorithm().Encode(h.Sum(nil)) == desc.Digest.Encoded(), nil
}

// Size returns the size of the blob with digest dgst, for callers that know
// a digest but not a descriptor (a base image pinned by digest). A missing
// blob yields an error wrapping errdef.ErrNotFound. The content is not
// verified here: read it with ReadBlob or Fetch.
func (l *Layout) Size(dgst digest.Digest) (int64, error) {
	info, err := l.statBlob(dgst)
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

// statBlob returns the file information of dgst's blob, refusing an entry
// that is not a regular file or leads out of the layout.
func (l *Layout) statBlob(dgst digest.Digest) (fs.FileInfo, error) {
	name, err := blobName(ocispec.Descriptor{Digest: dgst})
	if err != nil {
		return nil, fmt.Errorf("look up blob in %s: %w", l.dir, err)
	}
	root, err := openRoot(l.dir)
	if err != nil {
		return nil, fmt.Errorf("look up blob %s: %w", dgst, err)
	}
	defer root.Close()
	info, err := statRegularIn(root, name)
	if err != nil {
		return nil, fmt.Errorf("look up blob %s in %s: %w", dgst, l.dir, err)
	}
	return info, nil
}

// BlobStamp identifies one state of a blob file: the file (device and
// inode), its size and its modification and change times. Writing to the
// file, replacing it or changing its mode changes the stamp (the change
// time cannot be set back), so a blob whose stamp is the one recorded
// when it was verified still holds what was verified, as git trusts its
// index for unchanged files.
type BlobStamp struct {
	Dev, Ino         uint64
	Size             int64
	MTimeNs, CTimeNs int64
}

// Trusted reports whether the stamp identifies the file well enough to
// stand for a check of its content: only where the file's identity and
// change time are known (Linux).
func (s BlobStamp) Trusted() bool { return s.Ino != 0 && s.CTimeNs != 0 }

// Stamp returns the stamp of dgst's blob file, refusing what Size refuses.
func (l *Layout) Stamp(dgst digest.Digest) (BlobStamp, error) {
	info, err := l.statBlob(dgst)
	if err != nil {
		return BlobStamp{}, err
	}
	return stampOf(info), nil
}
