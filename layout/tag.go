package layout

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"

	"github.com/docker-krust/docker-krust/imageref"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// Index reads index.json. A malformed file, or one with an invalid
// descriptor, yields an error wrapping ErrInvalidLayout; a file beyond
// MaxIndexBytes or MaxIndexEntries yields ErrTooLarge.
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
	return l.TagAll(ctx, desc, reference)
}

// TagAll records desc under every tag in one replacement of index.json:
// readers see all the tags or none of them, also when a tag is invalid or
// the process dies half-way. Otherwise it is like Tag, which is TagAll with
// one tag. A tag given twice is recorded once. It is Apply with no
// referrers, so it too drops orphaned referrers.
func (l *Layout) TagAll(ctx context.Context, desc ocispec.Descriptor, tags ...string) error {
	if len(tags) == 0 {
		return fmt.Errorf("tag %s in %s: no tag given: %w", desc.Digest, l.dir, errdef.ErrMissingReference)
	}
	return l.Apply(ctx, Update{Desc: desc, Tags: tags})
}

// retag drops every entry tagged with one of tags and appends desc once per
// tag, in order, copying desc's annotations rather than mutating the
// caller's map. It is linear in the number of entries.
func retag(entries []ocispec.Descriptor, desc ocispec.Descriptor, tags []string) []ocispec.Descriptor {
	set := make(map[string]bool, len(tags))
	for _, tag := range tags {
		set[tag] = true
	}
	kept := make([]ocispec.Descriptor, 0, len(entries)+len(set))
	for _, e := range entries {
		if name, ok := e.Annotations[ocispec.AnnotationRefName]; !ok || !set[name] {
			kept = append(kept, e)
		}
	}
	for _, tag := range tags {
		if !set[tag] {
			continue // given twice
		}
		delete(set, tag)
		annotations := maps.Clone(desc.Annotations)
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[ocispec.AnnotationRefName] = tag
		d := desc
		d.Annotations = annotations
		kept = append(kept, d)
	}
	return kept
}

// validateTag checks reference against the OCI tag grammar, the one
// imageref.ValidTag enforces for the command line.
func validateTag(reference string) error {
	if err := imageref.ValidTag(reference); err != nil {
		return fmt.Errorf("%w: %w: %w", err, ErrInvalidTag, errdef.ErrInvalidReference)
	}
	return nil
}

// listSome joins the first n of names for a message, saying how many more
// there are: an index may hold MaxIndexEntries tags.
func listSome(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}
