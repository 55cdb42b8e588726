package provenance

import (
	"fmt"
	"strings"

	"github.com/docker-krust/docker-krust/internal/scrub"
	attestation "github.com/in-toto/attestation/go/v1"
	digest "github.com/opencontainers/go-digest"
	"google.golang.org/protobuf/types/known/structpb"
)

// Files is the layer of project files an image holds beneath its binary
// (the files setting).
type Files struct {
	// Entries are the setting's entries, in order.
	Entries []FilesEntry
	// Layer is the digest of the compressed layer blob, MediaType its
	// media type and DiffID the digest of its tar stream.
	Layer     digest.Digest
	MediaType string
	DiffID    digest.Digest
}

// FilesEntry is one entry of the files setting: From, a path of the
// project as the setting writes it (a path of the build machine is
// written <local>/NAME), put at To in the image.
type FilesEntry struct {
	From, To string
}

// filesDep is the files layer: name "files:FROM[,FROM...]", digest the
// layer blob's, mediaType the layer's, annotations.entries each
// "FROM -> TO" and annotations.diffID.
func filesDep(f *Files) (*attestation.ResourceDescriptor, error) {
	if f == nil {
		return nil, nil
	}
	set, err := digestSet(f.Layer)
	if err != nil {
		return nil, fmt.Errorf("%w: files layer: %w", errInput, err)
	}
	if err := f.DiffID.Validate(); err != nil {
		return nil, fmt.Errorf("%w: files layer diffID %q: %w", errInput, f.DiffID, err)
	}
	var froms []string
	var entries []any
	for _, e := range f.Entries {
		from := scrub.Path(e.From)
		froms = append(froms, from)
		entries = append(entries, from+" -> "+e.To)
	}
	list, err := structpb.NewList(entries)
	if err != nil {
		return nil, fmt.Errorf("%w: files entries: %w", errInput, err)
	}
	return &attestation.ResourceDescriptor{
		Name:      "files:" + strings.Join(froms, ","),
		Digest:    set,
		MediaType: f.MediaType,
		Annotations: &structpb.Struct{Fields: map[string]*structpb.Value{
			"entries": structpb.NewListValue(list),
			"diffID":  structpb.NewStringValue(f.DiffID.String()),
		}},
	}, nil
}
