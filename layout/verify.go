package layout

import (
	"fmt"
	"hash"
	"io"
	"os"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// verifying returns a reader of f, desc's blob, that verifies it.
func (l *Layout) verifying(f *os.File, desc ocispec.Descriptor) *verifyingReader {
	return &verifyingReader{
		dir:  l.dir,
		file: f,
		src:  io.LimitReader(f, desc.Size+1),
		desc: desc,
		hash: desc.Digest.Algorithm().Hash(),
	}
}

// verifyingReader reads a blob file while checking it against a descriptor.
type verifyingReader struct {
	dir  string // the layout
	file *os.File
	src  io.Reader
	desc ocispec.Descriptor
	hash hash.Hash
	read int64
	err  error // sticky error, including io.EOF once verified
}

// Read reads from the blob, failing once the content is known not to match.
func (r *verifyingReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.src.Read(p)
	r.hash.Write(p[:n])
	r.read += int64(n)
	if r.read > r.desc.Size {
		extra := int(r.read - r.desc.Size)
		r.err = r.mismatch("blob is larger than %d bytes", r.desc.Size)
		return n - extra, r.err
	}
	if err == io.EOF {
		err = r.verify()
	}
	if err != nil {
		r.err = err
	}
	return n, err
}

// verify checks size and digest once the whole blob has been read.
func (r *verifyingReader) verify() error {
	if r.read != r.desc.Size {
		return r.mismatch("blob has %d bytes, want %d", r.read, r.desc.Size)
	}
	if got := r.desc.Digest.Algorithm().Encode(r.hash.Sum(nil)); got != r.desc.Digest.Encoded() {
		return r.mismatch("blob has digest %s:%s", r.desc.Digest.Algorithm(), got)
	}
	return io.EOF
}

// mismatch builds an error that names the blob and its layout, wrapping
// ErrCorruptBlob and ErrDigestMismatch: the file is what is wrong, so
// reading it again will not help.
func (r *verifyingReader) mismatch(format string, args ...any) error {
	return fmt.Errorf("blob %s of layout %s is damaged: %s: %s: %w: %w",
		r.desc.Digest, r.dir, r.file.Name(), fmt.Sprintf(format, args...), ErrCorruptBlob, ErrDigestMismatch)
}

// Close closes the blob file.
func (r *verifyingReader) Close() error {
	return r.file.Close()
}
