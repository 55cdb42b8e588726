package layout

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"

	"github.com/docker-krust/docker-krust/internal/atomicfile"
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
	root *os.Root // the layout; every path below is relative to it
	dir  string   // blobs/sha256
	tmp  string   // the temp file
	file *os.File
	hash hash.Hash
	size int64
	err  error // sticky write error
	done bool
	// written is the Layout's record of created blobs, or nil.
	written *blobSet
}

// NewBlobWriter starts a new sha256 blob in a temp file inside blobs/sha256.
// A blobs or blobs/sha256 that leads out of the layout is refused with an
// error wrapping ErrOutsideLayout.
func (l *Layout) NewBlobWriter() (_ *BlobWriter, err error) {
	root, err := openRoot(l.dir)
	if err != nil {
		return nil, fmt.Errorf("new blob writer: %w", err)
	}
	defer func() {
		if err != nil {
			root.Close()
		}
	}()
	dir := filepath.Join(blobsDir, digest.SHA256.String())
	if err := mkdirIn(root, dir); err != nil {
		return nil, fmt.Errorf("new blob writer: %w", err)
	}
	f, tmp, err := createTempIn(root, dir)
	if err != nil {
		return nil, fmt.Errorf("new blob writer: %w", err)
	}
	return &BlobWriter{root: root, dir: dir, tmp: tmp, file: f, hash: sha256.New(), written: l.written}, nil
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
		return ocispec.Descriptor{}, fmt.Errorf("commit blob %s to %s: %w", desc.Digest, filepath.Join(w.root.Name(), w.dir), err)
	}
	return desc, nil
}

// commit finishes the temp file and moves it into place, or discards it if
// an intact copy of the blob is already there. A copy that was damaged on
// disk is replaced. The temp file is gone afterwards on any error.
func (w *BlobWriter) commit(desc ocispec.Descriptor) error {
	w.done = true
	defer w.root.Close()
	if err := atomicfile.Finish(w.file, filePerm); err != nil {
		_ = w.file.Close()
		_ = w.root.Remove(w.tmp)
		return err
	}
	final := filepath.Join(w.dir, desc.Digest.Encoded())
	ok, err := blobIntact(context.Background(), w.root, final, desc)
	if err == nil && ok {
		return w.root.Remove(w.tmp)
	}
	if err == nil {
		err = atomicfile.RenameIn(w.root, w.tmp, final)
	}
	if err != nil {
		_ = w.root.Remove(w.tmp)
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
	defer w.root.Close()
	cerr := w.file.Close()
	if err := w.root.Remove(w.tmp); err != nil {
		return fmt.Errorf("remove temp blob %s: %w", w.file.Name(), err)
	}
	if cerr != nil {
		return fmt.Errorf("close temp blob %s: %w", w.file.Name(), cerr)
	}
	return nil
}
