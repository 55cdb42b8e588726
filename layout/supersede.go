package layout

import (
	"context"
	"fmt"
	"slices"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// supersede returns entries without the referrers u replaces: untagged
// entries whose artifactType is one of u.Supersede and whose subject is
// u.Desc, one of its manifests, or the subject of one of added, unless
// added lists them again. Entries of other types (a signature) and
// entries it cannot read are kept.
func supersede(ctx context.Context, docs *docReader, entries []ocispec.Descriptor, u Update, added []referrerEntry) ([]ocispec.Descriptor, error) {
	if len(u.Supersede) == 0 && len(u.SupersedeMarked) == 0 {
		return entries, nil
	}
	subjects := digestSet{}
	keep := digestSet{}
	for _, r := range added {
		subjects[r.subject] = struct{}{}
		keep[r.desc.Digest] = struct{}{}
	}
	if len(u.Tags) > 0 {
		manifests, err := docs.manifestsOf(ctx, u.Desc)
		if err != nil {
			return nil, fmt.Errorf("read %s for the referrers it replaces: %w", u.Desc.Digest, err)
		}
		for _, d := range manifests {
			subjects[d] = struct{}{}
		}
	}
	return slices.DeleteFunc(entries, func(e ocispec.Descriptor) bool {
		if keep.has(e.Digest) || !u.replaces(ctx, docs, e) {
			return false
		}
		r, ok, _ := docs.asReferrer(ctx, e, map[digest.Digest]referrerEntry{})
		return ok && subjects.has(r.subject)
	}), nil
}

// replaces reports whether u replaces entry e, whatever its subject: its
// artifact type is one of u.Supersede, or one of u.SupersedeMarked whose
// annotation its manifest carries. A manifest that cannot be read is
// kept.
func (u Update) replaces(ctx context.Context, docs *docReader, e ocispec.Descriptor) bool {
	if slices.Contains(u.Supersede, e.ArtifactType) {
		return true
	}
	for _, m := range u.SupersedeMarked {
		if m.ArtifactType != e.ArtifactType || tagged(e) || e.Size > maxDocSize {
			continue
		}
		doc, err := docs.read(ctx, e)
		if err != nil {
			return false
		}
		if _, ok := doc.Annotations[m.Annotation]; ok {
			return true
		}
	}
	return false
}
