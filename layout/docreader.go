package layout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// docReader is the one way this package reads a blob: Fetch verifies
// every byte against its descriptor, and decode reads a manifest or index
// with oci.ReadJSON, bounded by maxDocSize. Layout.Fetch is a docReader's
// Fetch.
//
// A docReader from docs holds the layout open (an os.Root), so that a walk
// over thousands of index.json entries does not open the layout directory
// once per entry; one from reader opens it for each read.
type docReader struct {
	l    *Layout
	root *os.Root // nil: each read opens the layout anew
}

// docs returns a docReader holding l open; Close it when done.
func (l *Layout) docs() (*docReader, error) {
	root, err := openRoot(l.dir)
	if err != nil {
		return nil, err
	}
	return &docReader{l: l, root: root}, nil
}

// reader returns a docReader that opens l for each read, for callers that
// read a blob or two.
func (l *Layout) reader() *docReader {
	return &docReader{l: l}
}

// Close releases the open root, if any.
func (r *docReader) Close() error {
	if r.root == nil {
		return nil
	}
	return r.root.Close()
}

// Fetch opens desc's blob. The returned reader verifies size and digest as it
// is read: reading past desc.Size, or reaching EOF with the wrong size or
// digest, fails with an error wrapping ErrCorruptBlob and ErrDigestMismatch.
// A missing blob yields an error wrapping errdef.ErrNotFound; an entry that
// is not a regular file, ErrNotRegular; a link out of the layout,
// ErrOutsideLayout.
func (l *Layout) Fetch(ctx context.Context, desc ocispec.Descriptor) (io.ReadCloser, error) {
	return l.reader().Fetch(ctx, desc)
}

// Fetch opens desc's blob, verifying it as it is read (see Layout.Fetch).
func (r *docReader) Fetch(ctx context.Context, desc ocispec.Descriptor) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	name, err := blobName(desc)
	if err != nil {
		return nil, fmt.Errorf("fetch from %s: %w", r.l.dir, err)
	}
	f, _, err := r.open(name)
	if err != nil {
		return nil, fmt.Errorf("fetch blob %s from %s: %w", desc.Digest, r.l.dir, err)
	}
	return r.l.verifying(f, desc), nil
}

// open opens the regular file name of the layout (see openRegular).
func (r *docReader) open(name string) (*os.File, fs.FileInfo, error) {
	if r.root == nil {
		return openRegular(r.l.dir, name)
	}
	return openRegularIn(r.root, name)
}

// decode reads desc's blob, verified and at most maxDocSize bytes, as the
// JSON document v; its errors are oci.ReadJSON's.
func (r *docReader) decode(ctx context.Context, desc ocispec.Descriptor, v any) error {
	return oci.ReadJSON(ctx, r, desc, maxDocSize, v)
}

// read reads desc's blob as a manifest or index.
func (r *docReader) read(ctx context.Context, desc ocispec.Descriptor) (graphDoc, error) {
	var doc graphDoc
	err := r.decode(ctx, desc, &doc)
	return doc, err
}

// subjectDoc holds the fields of a manifest that say whether it is a
// referrer, and of what; decoding only them keeps walks over many
// referrers cheap.
type subjectDoc struct {
	ArtifactType string `json:"artifactType"`
	Config       *struct {
		MediaType string `json:"mediaType"`
	} `json:"config"`
	Subject *struct {
		Digest digest.Digest `json:"digest"`
	} `json:"subject"`
}

// subject reads desc's blob for its subject and artifact type (see
// graphDoc.artifactType); ok is false when it has no valid subject. A
// blob that is missing or not JSON is no referrer; err reports one that
// cannot be read (damaged, not a regular file, a link out of the layout),
// and the context's end.
func (r *docReader) subject(ctx context.Context, desc ocispec.Descriptor) (subject digest.Digest, artifactType string, ok bool, err error) {
	var doc subjectDoc
	switch err := r.decode(ctx, desc, &doc); {
	case errors.Is(err, errdef.ErrNotFound), errors.Is(err, oci.ErrNotJSON):
		return "", "", false, nil
	case err != nil:
		return "", "", false, err
	}
	if doc.Subject == nil || doc.Subject.Digest.Validate() != nil {
		return "", "", false, nil
	}
	artifactType = doc.ArtifactType
	if artifactType == "" && doc.Config != nil {
		artifactType = doc.Config.MediaType
	}
	return doc.Subject.Digest, artifactType, true, nil
}
