package layout

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// AllReferrers returns the referrers index.json lists for desc: the untagged
// entries whose manifest's subject is desc or, when desc is an index, one
// of its manifests, and then the referrers of those (a signature of an
// SBOM), level by level. Each level is sorted by artifactType, then
// digest, so the same layout always gives the same list; every descriptor
// has its artifactType set. An entry whose blob is missing or not JSON is
// no one's referrer; one that is damaged is an error, as is an index desc
// that cannot be read.
func (l *Layout) AllReferrers(ctx context.Context, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
	idx, err := l.Index(ctx)
	if err != nil {
		return nil, fmt.Errorf("referrers of %s: %w", desc.Digest, err)
	}
	docs, err := l.docs()
	if err != nil {
		return nil, fmt.Errorf("referrers of %s: %w", desc.Digest, err)
	}
	defer docs.Close()
	level, err := docs.manifestsOf(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("referrers of %s in %s: %w", desc.Digest, l.dir, err)
	}
	bySubject, err := docs.bySubject(ctx, idx, desc)
	if err != nil {
		return nil, err
	}
	var out []ocispec.Descriptor
	seen := digestSet{}
	for len(level) > 0 {
		var next []ocispec.Descriptor
		for _, s := range level {
			for _, r := range bySubject[s] {
				if !seen.has(r.Digest) {
					seen[r.Digest] = struct{}{}
					next = append(next, r)
				}
			}
		}
		slices.SortFunc(next, func(a, b ocispec.Descriptor) int {
			return cmp.Or(cmp.Compare(a.ArtifactType, b.ArtifactType), cmp.Compare(a.Digest, b.Digest))
		})
		out = append(out, next...)
		level = level[:0]
		for _, r := range next {
			level = append(level, r.Digest)
		}
	}
	return out, nil
}

// manifestsOf returns desc's digest and, when desc is an index, those of
// its manifests, and of theirs for an index of indexes.
func (r *docReader) manifestsOf(ctx context.Context, desc ocispec.Descriptor) ([]digest.Digest, error) {
	out := []digest.Digest{desc.Digest}
	seen := digestSet{desc.Digest: {}}
	queue := []ocispec.Descriptor{desc}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if !oci.IsIndex(d.MediaType) {
			continue
		}
		doc, err := r.read(ctx, d)
		if err != nil {
			return nil, err
		}
		for _, m := range doc.Manifests {
			if !seen.has(m.Digest) {
				seen[m.Digest] = struct{}{}
				out = append(out, m.Digest)
				queue = append(queue, m)
			}
		}
	}
	return out, nil
}

// asReferrer reports whether index entry e is a referrer, that is untagged
// and a readable manifest with a valid subject, and returns it with its
// artifactType set. known holds referrers already read, by digest. err
// reports an entry that cannot be read (see docReader.subject), which
// callers that only keep or count entries may take as no referrer.
func (r *docReader) asReferrer(ctx context.Context, e ocispec.Descriptor, known map[digest.Digest]referrerEntry) (_ referrerEntry, ok bool, err error) {
	if tagged(e) || !oci.CanHaveSubject(e.MediaType) || e.Size > maxDocSize {
		return referrerEntry{}, false, nil
	}
	if k, ok := known[e.Digest]; ok {
		return referrerEntry{desc: e, subject: k.subject}, true, nil
	}
	subject, artifactType, ok, err := r.subject(ctx, e)
	if !ok {
		return referrerEntry{}, false, err
	}
	if e.ArtifactType == "" {
		e.ArtifactType = artifactType
	}
	return referrerEntry{desc: e, subject: subject}, true, nil
}

// artifactType is what a referrer's manifest says it is: its artifactType,
// or its config's media type when it has none (as oras-go lists it).
func (d graphDoc) artifactType() string {
	if d.ArtifactType == "" && d.Config != nil {
		return d.Config.MediaType
	}
	return d.ArtifactType
}

// tagged reports whether index entry e carries a tag.
func tagged(e ocispec.Descriptor) bool {
	_, ok := e.Annotations[ocispec.AnnotationRefName]
	return ok
}

// Referrers calls fn once with the referrers index.json lists whose
// subject is desc itself (not its manifests), of artifactType when it is
// not empty, sorted as AllReferrers sorts them: the method oras-go's
// registry repositories have, so that a layout and a registry are read
// alike.
func (l *Layout) Referrers(ctx context.Context, desc ocispec.Descriptor, artifactType string, fn func([]ocispec.Descriptor) error) error {
	idx, err := l.Index(ctx)
	if err != nil {
		return fmt.Errorf("referrers of %s: %w", desc.Digest, err)
	}
	docs, err := l.docs()
	if err != nil {
		return fmt.Errorf("referrers of %s: %w", desc.Digest, err)
	}
	defer docs.Close()
	bySubject, err := docs.bySubject(ctx, idx, desc)
	if err != nil {
		return err
	}
	var out []ocispec.Descriptor
	for _, r := range bySubject[desc.Digest] {
		if artifactType == "" || r.ArtifactType == artifactType {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b ocispec.Descriptor) int {
		return cmp.Or(cmp.Compare(a.ArtifactType, b.ArtifactType), cmp.Compare(a.Digest, b.Digest))
	})
	return fn(out)
}

// bySubject groups the referrers index.json lists by their subject; an
// entry that cannot be read is an error about the referrers of desc.
func (r *docReader) bySubject(ctx context.Context, idx ocispec.Index, desc ocispec.Descriptor) (map[digest.Digest][]ocispec.Descriptor, error) {
	out := map[digest.Digest][]ocispec.Descriptor{}
	for _, e := range idx.Manifests {
		ref, ok, err := r.asReferrer(ctx, e, nil)
		if err != nil {
			return nil, fmt.Errorf("referrers of %s: index.json lists %s, which cannot be read (remove it from index.json, or build again): %w", desc.Digest, e.Digest, err)
		}
		if ok {
			out[ref.subject] = append(out[ref.subject], ref.desc)
		}
	}
	return out, nil
}
