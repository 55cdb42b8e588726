package layout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// docReader reads many small documents (manifests, indexes) of a layout
// through one open root, so that a walk over thousands of index.json
// entries does not open the layout directory once per entry. Reads are
// verified as Fetch verifies them.
type docReader struct {
	l    *Layout
	root *os.Root
}

// docs returns a docReader for l; Close it when done.
func (l *Layout) docs() (*docReader, error) {
	root, err := openRoot(l.dir)
	if err != nil {
		return nil, err
	}
	return &docReader{l: l, root: root}, nil
}

// Close releases the open root.
func (r *docReader) Close() error {
	return r.root.Close()
}

// Fetch opens desc's blob, verifying it as it is read.
func (r *docReader) Fetch(ctx context.Context, desc ocispec.Descriptor) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	name, err := blobName(desc)
	if err != nil {
		return nil, fmt.Errorf("fetch from %s: %w", r.l.dir, err)
	}
	f, _, err := openRegularIn(r.root, name)
	if err != nil {
		return nil, fmt.Errorf("fetch blob %s from %s: %w", desc.Digest, r.l.dir, err)
	}
	return r.l.verifying(f, desc), nil
}

// read reads desc's blob as a manifest or index.
func (r *docReader) read(ctx context.Context, desc ocispec.Descriptor) (graphDoc, error) {
	var doc graphDoc
	err := oci.ReadJSON(ctx, r, desc, maxDocSize, &doc)
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
	switch err := oci.ReadJSON(ctx, r, desc, maxDocSize, &doc); {
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
