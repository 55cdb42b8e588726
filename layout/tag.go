package layout

import (
	"context"
	"fmt"
	"github.com/docker-krust/docker-krust/imageref"
	"maps"
	"path/filepath"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// Index reads index.json. A malformed file, or one with an invalid
// descriptor, yields an error wrapping ErrInvalidLayout; a file larger than
// 4 MiB yields ErrTooLarge.
func (l *Layout) Index(ctx context.Context) (ocispec.Index, error) {
	if err := ctx.Err(); err != nil {
		return ocispec.Index{}, err
	}
	return readIndexFile(filepath.Join(l.dir, indexFile))
}

// Resolve returns the index.json entry tagged reference (its
// org.opencontainers.image.ref.name annotation), or, if reference is a
// digest, the entry with that digest. When several entries match, the last
// one wins. A missing entry yields an error wrapping errdef.ErrNotFound.
func (l *Layout) Resolve(ctx context.Context, reference string) (ocispec.Descriptor, error) {
	if reference == "" {
		return ocispec.Descriptor{}, fmt.Errorf("resolve in %s: %w", l.dir, errdef.ErrMissingReference)
	}
	idx, err := l.Index(ctx)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("resolve %q: %w", reference, err)
	}
	match := refMatcher(reference)
	for i := len(idx.Manifests) - 1; i >= 0; i-- {
		if match(idx.Manifests[i]) {
			return idx.Manifests[i], nil
		}
	}
	return ocispec.Descriptor{}, fmt.Errorf("resolve %q in %s: %w", reference, l.dir, errdef.ErrNotFound)
}

// refMatcher returns a predicate selecting index entries for a tag or digest.
func refMatcher(reference string) func(ocispec.Descriptor) bool {
	if dgst, err := digest.Parse(reference); err == nil {
		return func(d ocispec.Descriptor) bool { return d.Digest == dgst }
	}
	return func(d ocispec.Descriptor) bool { return d.Annotations[ocispec.AnnotationRefName] == reference }
}

// Tag records desc in index.json under the tag reference, replacing any
// entry already carrying that tag and keeping all others in order. desc's
// blob must already be in the layout. Concurrent callers are serialised with
// an flock on the layout directory.
func (l *Layout) Tag(ctx context.Context, desc ocispec.Descriptor, reference string) error {
	if err := validateTag(reference); err != nil {
		return fmt.Errorf("tag %s: %w", l.dir, err)
	}
	ok, err := l.Exists(ctx, desc)
	if err != nil {
		return fmt.Errorf("tag %q: %w", reference, err)
	}
	if !ok {
		return fmt.Errorf("tag %q: blob %s not in %s: %w", reference, desc.Digest, l.dir, errdef.ErrNotFound)
	}
	unlock, err := lockDir(ctx, l.dir)
	if err != nil {
		return fmt.Errorf("tag %q: %w", reference, err)
	}
	defer unlock()
	idx, err := l.Index(ctx)
	if err != nil {
		return fmt.Errorf("tag %q: %w", reference, err)
	}
	idx.Manifests = retag(idx.Manifests, desc, reference)
	if err := writeIndexFile(l.dir, idx); err != nil {
		return fmt.Errorf("tag %q: %w", reference, err)
	}
	return nil
}

// retag drops every entry tagged reference and appends desc with that tag,
// copying desc's annotations rather than mutating the caller's map.
func retag(entries []ocispec.Descriptor, desc ocispec.Descriptor, reference string) []ocispec.Descriptor {
	kept := make([]ocispec.Descriptor, 0, len(entries)+1)
	for _, e := range entries {
		if e.Annotations[ocispec.AnnotationRefName] != reference {
			kept = append(kept, e)
		}
	}
	annotations := maps.Clone(desc.Annotations)
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[ocispec.AnnotationRefName] = reference
	desc.Annotations = annotations
	return append(kept, desc)
}

// validateTag checks reference against the OCI tag grammar, the one
// imageref.ValidTag enforces for the command line.
func validateTag(reference string) error {
	if err := imageref.ValidTag(reference); err != nil {
		return fmt.Errorf("%w: %w: %w", err, ErrInvalidTag, errdef.ErrInvalidReference)
	}
	return nil
}
