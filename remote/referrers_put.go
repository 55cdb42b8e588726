package remote

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
)

// referrerDoc is a referrer to push, read from the source.
type referrerDoc struct {
	desc    ocispec.Descriptor // as the source has it
	subject ocispec.Descriptor
	// entry is its descriptor in a referrers index: with the
	// artifactType and annotations of its manifest, as the
	// distribution spec lists referrers.
	entry ocispec.Descriptor
	// leaves are its configs and layers (blobs, not manifests).
	leaves []ocispec.Descriptor
}

// readReferrer reads referrer r's manifest (or index) from src.
func readReferrer(ctx context.Context, src content.Fetcher, r ocispec.Descriptor) (referrerDoc, error) {
	var doc struct {
		ArtifactType string               `json:"artifactType"`
		Config       *ocispec.Descriptor  `json:"config"`
		Layers       []ocispec.Descriptor `json:"layers"`
		Blobs        []ocispec.Descriptor `json:"blobs"`
		Subject      *ocispec.Descriptor  `json:"subject"`
		Annotations  map[string]string    `json:"annotations"`
	}
	if err := oci.ReadJSON(ctx, src, r, oci.MaxManifestSize, &doc); err != nil {
		return referrerDoc{}, fmt.Errorf("read referrer %s: %w", ShortDigest(r.Digest), err)
	}
	if doc.Subject == nil || doc.Subject.Digest.Validate() != nil {
		return referrerDoc{}, fmt.Errorf("referrer %s has no subject: it refers to nothing", ShortDigest(r.Digest))
	}
	entry := ocispec.Descriptor{MediaType: r.MediaType, Digest: r.Digest, Size: r.Size, ArtifactType: doc.ArtifactType, Annotations: doc.Annotations}
	if entry.ArtifactType == "" && doc.Config != nil {
		entry.ArtifactType = doc.Config.MediaType
	}
	leaves := slices.Concat(deref(doc.Config), doc.Layers, doc.Blobs)
	leaves = slices.DeleteFunc(leaves, func(d ocispec.Descriptor) bool { return oci.KindOf(d.MediaType).IsDocument() })
	return referrerDoc{desc: r, subject: *doc.Subject, entry: entry, leaves: leaves}, nil
}

func deref(d *ocispec.Descriptor) []ocispec.Descriptor {
	if d == nil {
		return nil
	}
	return []ocispec.Descriptor{*d}
}

// putAll puts every referrer's configs and layers, each once, then their
// manifests, a referrer only once its subject is in the registry.
func (p *referrerPush) putAll(ctx context.Context) error {
	if err := p.putLeaves(ctx); err != nil {
		return err
	}
	for pending := indexes(p.refs); len(pending) > 0; {
		var wave []int
		wave, pending = nextWave(pending, p.refs, p.there)
		err := pushAtOnce(wave, func(i int) error {
			r := p.refs[i]
			opts := copyOptions(nil, nil, p.ev)
			opts.FindSuccessors = skipping(p.there)
			if err := oras.CopyGraph(ctx, p.src, p.dst, r.desc, opts); err != nil {
				return fmt.Errorf("push referrer %s of %s to %s: %w", ShortDigest(r.desc.Digest), ShortDigest(r.subject.Digest), p.dst.name, ourWords(err))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, i := range wave {
			p.there[p.refs[i].desc.Digest] = true
		}
	}
	return nil
}

// putLeaves puts the configs and layers of every referrer, once each,
// and adds them to p.there, so that the manifests' copies skip them:
// pushed at once, referrers that share a blob (the empty config) would
// each upload it.
func (p *referrerPush) putLeaves(ctx context.Context) error {
	var leaves []ocispec.Descriptor
	for _, r := range p.refs {
		for _, l := range r.leaves {
			if !p.there[l.Digest] && !slices.ContainsFunc(leaves, func(d ocispec.Descriptor) bool { return d.Digest == l.Digest }) {
				leaves = append(leaves, l)
			}
		}
	}
	opts := copyOptions(nil, nil, p.ev)
	opts.FindSuccessors = func(context.Context, content.Fetcher, ocispec.Descriptor) ([]ocispec.Descriptor, error) {
		return nil, nil // a blob, whatever its media type says
	}
	err := pushAtOnce(indexes(leaves), func(i int) error {
		if err := oras.CopyGraph(ctx, p.src, p.dst, leaves[i], opts); err != nil {
			return fmt.Errorf("push %s of the referrers to %s: %w", blobName(leaves[i]), p.dst.name, ourWords(err))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, l := range leaves {
		p.there[l.Digest] = true
	}
	return nil
}

// putManifest puts r's manifest again, as it is.
func (p *referrerPush) putManifest(ctx context.Context, r referrerDoc) error {
	data, err := oci.ReadBlob(ctx, p.src, r.desc, oci.MaxManifestSize)
	if err != nil {
		return fmt.Errorf("read %s: %w", blobName(r.desc), err)
	}
	return p.dst.Push(ctx, r.desc, bytes.NewReader(data))
}

// manifestsOf returns desc and, for an index, its manifests: what the
// push put in the registry before the referrers.
func manifestsOf(ctx context.Context, src content.Fetcher, desc ocispec.Descriptor) (map[digest.Digest]bool, error) {
	there := map[digest.Digest]bool{desc.Digest: true}
	if !oci.IsIndex(desc.MediaType) {
		return there, nil
	}
	var idx ocispec.Index
	if err := oci.ReadJSON(ctx, src, desc, oci.MaxManifestSize, &idx); err != nil {
		return nil, err
	}
	for _, m := range idx.Manifests {
		there[m.Digest] = true
	}
	return there, nil
}

// skipping returns CopyGraph's successors without what is in the
// registry already: a referrer's subject (the image just pushed) and the
// blobs putLeaves put, so that neither a request nor an "already there"
// event is spent on them.
func skipping(there map[digest.Digest]bool) func(context.Context, content.Fetcher, ocispec.Descriptor) ([]ocispec.Descriptor, error) {
	return func(ctx context.Context, f content.Fetcher, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
		next, err := content.Successors(ctx, f, desc)
		return slices.DeleteFunc(next, func(d ocispec.Descriptor) bool { return there[d.Digest] }), err
	}
}

// maxReferrersAtOnce bounds the referrers (or their blobs) pushed at
// once; each push has oras-go's own concurrency for its blobs.
const maxReferrersAtOnce = 4

// nextWave splits pending (positions in refs) into the referrers whose
// subject is in the registry already (there), which may be pushed at
// once, and the rest (referrers of those: a signature of an SBOM). When
// none is ready, the subjects are not ours to push: all go at once.
func nextWave(pending []int, refs []referrerDoc, there map[digest.Digest]bool) (wave, rest []int) {
	for _, i := range pending {
		if there[refs[i].subject.Digest] {
			wave = append(wave, i)
		} else {
			rest = append(rest, i)
		}
	}
	if len(wave) == 0 {
		return rest, nil
	}
	return wave, rest
}

// pushAtOnce runs push for every position in wave, at most
// maxReferrersAtOnce at a time. It returns the failures (see joinSome).
func pushAtOnce(wave []int, push func(int) error) error {
	errs := make([]error, len(wave))
	slots := make(chan struct{}, maxReferrersAtOnce)
	var wg sync.WaitGroup
	for j, i := range wave {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			errs[j] = push(i)
		})
	}
	wg.Wait()
	return joinSome(errs)
}

// indexes returns 0 .. len(s)-1.
func indexes[T any](s []T) []int {
	out := make([]int, len(s))
	for i := range out {
		out[i] = i
	}
	return out
}
