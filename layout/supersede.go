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
	if len(u.Supersede) == 0 {
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
		if keep.has(e.Digest) || !slices.Contains(u.Supersede, e.ArtifactType) {
			return false
		}
		r, ok, _ := docs.asReferrer(ctx, e, map[digest.Digest]referrerEntry{})
		return ok && subjects.has(r.subject)
	}), nil
}
