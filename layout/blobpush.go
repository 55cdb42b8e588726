package layout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/docker-krust/docker-krust/internal/atomicfile"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// copyBufferSize is the chunk size used when streaming content to disk.
const copyBufferSize = 32 << 10

// Push streams content into the layout as the blob described by expected.
// The content goes to a temp file beside its final place, is hashed on the
// way, and is renamed into place only if its size and digest match (else the
// error wraps ErrDigestMismatch). No more than expected.Size+1 bytes are
// read. An existing blob yields an error wrapping errdef.ErrAlreadyExists
// without content being read.
func (l *Layout) Push(ctx context.Context, expected ocispec.Descriptor, content io.Reader) error {
	ok, err := l.Exists(ctx, expected)
	if err != nil {
		return fmt.Errorf("push to %s: %w", l.dir, err)
	}
	if ok {
		return fmt.Errorf("push blob %s to %s: %w", expected.Digest, l.dir, errdef.ErrAlreadyExists)
	}
	root, err := openRoot(l.dir)
	if err != nil {
		return fmt.Errorf("push blob %s: %w", expected.Digest, err)
	}
	defer root.Close()
	dir := blobDirName(expected)
	if err := mkdirIn(root, dir); err != nil {
		return fmt.Errorf("push blob %s: %w", expected.Digest, err)
	}
	if err := pushFile(ctx, root, dir, expected, content); err != nil {
		return fmt.Errorf("push blob %s to %s: %w", expected.Digest, l.dir, err)
	}
	l.written.add(expected.Digest)
	return nil
}

// pushFile writes content to a temp file in dir (inside root), verifies it
// against expected and renames it to its final name, replacing a damaged
// copy. The temp file is removed on any error.
func pushFile(ctx context.Context, root *os.Root, dir string, expected ocispec.Descriptor, content io.Reader) (err error) {
	f, tmp, err := createTempIn(root, dir)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = root.Remove(tmp)
		}
	}()
	h := expected.Digest.Algorithm().Hash()
	n, err := copyContext(ctx, io.MultiWriter(f, h), io.LimitReader(content, expected.Size+1))
	if err != nil {
		return err
	}
	if err = checkContent(expected, n, h); err != nil {
		return err
	}
	if err = atomicfile.Finish(f, filePerm); err != nil {
		return err
	}
	return atomicfile.RenameIn(root, tmp, filepath.Join(dir, expected.Digest.Encoded()))
}

// checkContent compares what was written against the expected descriptor.
func checkContent(expected ocispec.Descriptor, n int64, h hash.Hash) error {
	if n != expected.Size {
		if n > expected.Size {
			return fmt.Errorf("content is larger than %d bytes: %w", expected.Size, ErrDigestMismatch)
		}
		return fmt.Errorf("content has %d bytes, want %d: %w", n, expected.Size, ErrDigestMismatch)
	}
	got := digest.NewDigest(expected.Digest.Algorithm(), h)
	if got != expected.Digest {
		return fmt.Errorf("content has digest %s: %w", got, ErrDigestMismatch)
	}
	return nil
}

// WriteBlob stores data as a sha256 blob of the given media type unless it
// is already present, and returns its descriptor. It is idempotent. (Small
// blobs are read back, verified and bounded, with oci.ReadBlob or
// oci.ReadJSON, which take any oras content.Fetcher.)
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

// copyContext copies src to dst, checking ctx before every read.
func copyContext(ctx context.Context, dst io.Writer, src io.Reader) (int64, error) {
	buf := make([]byte, copyBufferSize)
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, rerr := src.Read(buf)
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				return total, fmt.Errorf("write: %w", err)
			}
			total += int64(n)
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, fmt.Errorf("read content: %w", rerr)
		}
	}
}
