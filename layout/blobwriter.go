package layout

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// errWriterDone is returned by a BlobWriter used after Commit or Close.
var errWriterDone = errors.New("blob writer already committed or closed")

// BlobWriter streams a blob whose digest is not known in advance into the
// layout. Call Commit to store it and Close (always, e.g. deferred) to
// discard it if Commit was not reached. A BlobWriter is not safe for
// concurrent use.
type BlobWriter struct {
	dir  string
	file *os.File
	hash hash.Hash
	size int64
	err  error // sticky write error
	done bool
	// written is the Layout's record of created blobs, or nil.
	written *blobSet
}

// NewBlobWriter starts a new sha256 blob in a temp file inside blobs/sha256.
func (l *Layout) NewBlobWriter() (*BlobWriter, error) {
	dir := filepath.Join(l.dir, blobsDir, digest.SHA256.String())
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return nil, fmt.Errorf("new blob writer: create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("new blob writer: create temp file in %s: %w", dir, err)
	}
	return &BlobWriter{dir: dir, file: f, hash: sha256.New(), written: l.written}, nil
}

// Write appends p to the blob, hashing it on the way.
func (w *BlobWriter) Write(p []byte) (int, error) {
	if w.done {
		return 0, errWriterDone
	}
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.file.Write(p)
	w.hash.Write(p[:n])
	w.size += int64(n)
	if err != nil {
		w.err = fmt.Errorf("write %s: %w", w.file.Name(), err)
		return n, w.err
	}
	return n, nil
}

// Commit flushes the blob to disk, moves it to blobs/sha256/<hex> and returns
// its descriptor. If an identical blob already exists the temp file is just
// removed.
func (w *BlobWriter) Commit(mediaType string) (ocispec.Descriptor, error) {
	if w.done {
		return ocispec.Descriptor{}, errWriterDone
	}
	if w.err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("commit blob: %w", w.err)
	}
	desc := ocispec.Descriptor{
		MediaType: mediaType,
		Digest:    digest.NewDigest(digest.SHA256, w.hash),
		Size:      w.size,
	}
	if err := w.commit(desc); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("commit blob %s to %s: %w", desc.Digest, w.dir, err)
	}
	return desc, nil
}

// commit finishes the temp file and moves it into place, or discards it if
// the blob already exists. The temp file is gone afterwards on any error.
func (w *BlobWriter) commit(desc ocispec.Descriptor) error {
	w.done = true
	tmp := w.file.Name()
	if err := finishFile(w.file); err != nil {
		_ = w.file.Close()
		_ = os.Remove(tmp)
		return err
	}
	final := filepath.Join(w.dir, desc.Digest.Encoded())
	if ok, err := blobFileOK(final, desc.Size); err == nil && ok {
		return os.Remove(tmp)
	}
	if err := commitFile(tmp, final); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	w.written.add(desc.Digest)
	return nil
}

// Close discards the blob unless it was committed. It is safe to call after
// Commit and more than once.
func (w *BlobWriter) Close() error {
	if w.done {
		return nil
	}
	w.done = true
	cerr := w.file.Close()
	if err := os.Remove(w.file.Name()); err != nil {
		return fmt.Errorf("remove temp blob %s: %w", w.file.Name(), err)
	}
	if cerr != nil {
		return fmt.Errorf("close temp blob %s: %w", w.file.Name(), cerr)
	}
	return nil
}
