package layout

import (
	"context"
	"fmt"
	"maps"

	"github.com/docker-krust/docker-krust/oci"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// Update says what one change of index.json sets. Apply writes all of it
// in one replacement of the file, so a reader (or a build killed half-way)
// never sees the tags without their referrers, or the reverse.
type Update struct {
	// Desc is the image or index the tags name; its blob must be in the
	// layout. It is not used when Tags is empty.
	Desc ocispec.Descriptor
	// Tags are recorded for Desc, each replacing any entry that carries
	// it; a tag given twice is recorded once. Empty adds only Referrers,
	// to images already tagged (a signature made later).
	Tags []string
	// Referrers are manifests with a subject (an SBOM, a provenance
	// statement, a signature): OCI image manifests or indexes whose
	// subject is Desc, one of its manifests, or another image or referrer
	// the layout keeps. Each is listed untagged, with the artifactType of
	// its manifest (its config's media type when it has none, as oras-go
	// does), once per digest. Their blobs, configs and layers must be in
	// the layout. Nil adds none.
	Referrers []ocispec.Descriptor
	// Supersede lists artifact types whose referrers this update
	// replaces: entries of those types whose subject is Desc (when Tags
	// are given), one of its manifests, or the subject of one of
	// Referrers, are dropped unless Referrers lists them again. A build
	// names the documents it makes (SBOM, provenance), so that a rebuild
	// with another SBOM format, or none, leaves the image with its new
	// documents only, and referrers of other types (signatures) stay. Nil
	// replaces nothing.
	Supersede []string
	// SupersedeMarked replaces referrers as Supersede does, but only
	// those of each Marked's artifact type whose manifest carries its
	// annotation: a build's own signatures, not another tool's of the
	// same type. Nil replaces nothing.
	SupersedeMarked []Marked
	// Also are more tags set in the same change, each on its own image:
	// the legacy signature tagged sha256-HEX.sig beside the image it
	// signs. Nil sets none.
	Also []Tagged
}

// Tagged is an image and one tag of it.
type Tagged struct {
	Desc ocispec.Descriptor
	Tag  string
}

// Marked names the referrers of one artifact type whose manifest carries
// an annotation (whatever its value).
type Marked struct {
	ArtifactType, Annotation string
}

// Apply records u in one replacement of index.json, under the layout's
// lock. Nothing is written when any part of u is refused: an invalid tag
// (ErrInvalidTag), a missing blob (errdef.ErrNotFound), a referrer without
// a subject or whose subject the layout does not keep (ErrInvalidLayout),
// an index beyond MaxIndexEntries or MaxIndexBytes (ErrTooLarge).
//
// Apply also drops orphaned referrers: an untagged entry whose manifest
// has a subject is removed once that subject is no longer
// reached from the other entries (directly, as a manifest of an index
// they list, or as the subject of a referrer kept), typically the SBOM
// and provenance of an image whose tag moved to a newer build. Otherwise
// they would stay in index.json for ever and keep the old image from gc.
// Tagged entries, entries that are not referrers and entries that cannot
// be read are never dropped (but for a legacy signature, tagged
// sha256-HEX.sig, which goes with the image HEX as a referrer does), and
// nothing is dropped while an index the
// other entries list cannot be read (what it holds is unknown).
func (l *Layout) Apply(ctx context.Context, u Update) error {
	what := u.what(l.dir)
	if len(u.Tags) == 0 && len(u.Referrers) == 0 && len(u.Also) == 0 {
		return fmt.Errorf("%s: no tag or referrer given: %w", what, errdef.ErrMissingReference)
	}
	if err := l.checkTags(ctx, u); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	refs, err := l.checkReferrers(ctx, u.Referrers)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	unlock, err := lockDir(ctx, l.dir)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer unlock()
	idx, err := l.Index(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	entries := idx.Manifests
	if len(u.Tags) > 0 {
		entries = retag(entries, u.Desc, u.Tags)
	}
	for _, a := range u.Also {
		entries = retag(entries, a.Desc, []string{a.Tag})
	}
	docs, err := l.docs()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer docs.Close()
	if entries, err = supersede(ctx, docs, entries, u, refs); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	entries = addReferrers(entries, refs)
	if idx.Manifests, err = dropOrphans(ctx, docs, entries, refs); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := writeIndexFile(l.dir, idx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// checkTags checks every tag u sets, and that each image it tags is in
// the layout.
func (l *Layout) checkTags(ctx context.Context, u Update) error {
	tagged := []Tagged{}
	for _, tag := range u.Tags {
		tagged = append(tagged, Tagged{u.Desc, tag})
	}
	for _, t := range append(tagged, u.Also...) {
		if err := validateTag(t.Tag); err != nil {
			return err
		}
		if err := l.mustExist(ctx, t.Desc); err != nil {
			return err
		}
	}
	return nil
}

// what names an update for its errors.
func (u Update) what(dir string) string {
	switch {
	case len(u.Tags) == 0:
		return fmt.Sprintf("add %d referrers in %s", len(u.Referrers), dir)
	case len(u.Referrers) == 0:
		return fmt.Sprintf("tag %s in %s", listSome(u.Tags, 5), dir)
	}
	return fmt.Sprintf("tag %s with %d referrers in %s", listSome(u.Tags, 5), len(u.Referrers), dir)
}

// mustExist fails with errdef.ErrNotFound unless desc's blob is in the
// layout, whole.
func (l *Layout) mustExist(ctx context.Context, desc ocispec.Descriptor) error {
	ok, err := l.Exists(ctx, desc)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("blob %s not in the layout: %w", desc.Digest, errdef.ErrNotFound)
	}
	return nil
}

// referrerEntry is an index.json entry that is a referrer, with its subject.
type referrerEntry struct {
	desc    ocispec.Descriptor
	subject digest.Digest
}

// checkReferrers reads each referrer's manifest, checks that it and what
// it names (config, layers, manifests) are in the layout and that it has a
// subject, and returns the index.json entries to add: once per digest,
// artifactType set from the manifest, no ref.name.
func (l *Layout) checkReferrers(ctx context.Context, descs []ocispec.Descriptor) ([]referrerEntry, error) {
	var out []referrerEntry
	seen := digestSet{}
	for _, desc := range descs {
		if seen.has(desc.Digest) {
			continue
		}
		r, err := l.checkReferrer(ctx, desc)
		if err != nil {
			return nil, fmt.Errorf("referrer %s: %w", desc.Digest, err)
		}
		seen[desc.Digest] = struct{}{}
		out = append(out, r)
	}
	return out, nil
}

// checkReferrer checks one referrer for checkReferrers.
func (l *Layout) checkReferrer(ctx context.Context, desc ocispec.Descriptor) (referrerEntry, error) {
	if err := validateDescriptor(desc); err != nil {
		return referrerEntry{}, err
	}
	if !oci.CanHaveSubject(desc.MediaType) {
		return referrerEntry{}, fmt.Errorf("media type %q cannot have a subject (want %s or %s): %w",
			desc.MediaType, ocispec.MediaTypeImageManifest, ocispec.MediaTypeImageIndex, ErrInvalidLayout)
	}
	doc, err := l.reader().read(ctx, desc)
	if err != nil {
		return referrerEntry{}, err
	}
	if doc.MediaType != "" && doc.MediaType != desc.MediaType {
		return referrerEntry{}, fmt.Errorf("manifest says mediaType %q, its descriptor %q: %w", doc.MediaType, desc.MediaType, ErrInvalidLayout)
	}
	if doc.Subject == nil || doc.Subject.Digest.Validate() != nil {
		return referrerEntry{}, fmt.Errorf("its manifest has no valid subject, so it refers to nothing: %w", ErrInvalidLayout)
	}
	for _, d := range append(append(append(deref(doc.Config), doc.Layers...), doc.Blobs...), doc.Manifests...) {
		if err := l.mustExist(ctx, d); err != nil {
			return referrerEntry{}, err
		}
	}
	artifactType := doc.artifactType()
	if desc.ArtifactType != "" && desc.ArtifactType != artifactType {
		return referrerEntry{}, fmt.Errorf("descriptor says artifactType %q, its manifest %q: %w", desc.ArtifactType, artifactType, ErrInvalidLayout)
	}
	desc.ArtifactType = artifactType
	if _, ok := desc.Annotations[ocispec.AnnotationRefName]; ok {
		desc.Annotations = maps.Clone(desc.Annotations)
		delete(desc.Annotations, ocispec.AnnotationRefName)
	}
	return referrerEntry{desc: desc, subject: doc.Subject.Digest}, nil
}

// addReferrers appends the referrers no untagged entry lists yet. (A
// tagged entry with the same digest does not count: referrers are the
// untagged entries, and a tag may move.)
func addReferrers(entries []ocispec.Descriptor, refs []referrerEntry) []ocispec.Descriptor {
	if len(refs) == 0 {
		return entries
	}
	have := digestSet{}
	for _, e := range entries {
		if !tagged(e) {
			have[e.Digest] = struct{}{}
		}
	}
	for _, r := range refs {
		if !have.has(r.desc.Digest) {
			entries = append(entries, r.desc)
			have[r.desc.Digest] = struct{}{}
		}
	}
	return entries
}
