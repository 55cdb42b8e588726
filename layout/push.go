package layout

import (
	"context"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

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
	dir := l.blobDir(expected)
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return fmt.Errorf("push blob %s: create %s: %w", expected.Digest, dir, err)
	}
	if err := pushFile(ctx, dir, expected, content); err != nil {
		return fmt.Errorf("push blob %s to %s: %w", expected.Digest, l.dir, err)
	}
	l.written.add(expected.Digest)
	return nil
}

// pushFile writes content to a temp file in dir, verifies it against
// expected and renames it to its final name. The temp file is removed on any
// error.
func pushFile(ctx context.Context, dir string, expected ocispec.Descriptor, content io.Reader) (err error) {
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("create temp file in %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
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
	if err = finishFile(f); err != nil {
		return err
	}
	return commitFile(f.Name(), filepath.Join(dir, expected.Digest.Encoded()))
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

// commitFile renames a finished temp file to its final path and makes the
// rename durable.
func commitFile(tmp, final string) error {
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp, final, err)
	}
	return syncDir(filepath.Dir(final))
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
