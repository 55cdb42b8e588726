package layout

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// dropOrphans returns entries without the orphaned referrers, those whose
// subject nothing else in entries reaches (see Apply), and fails if one of added would be
// dropped: its subject is not in the layout's keeping, so the caller made
// a mistake. Only untagged entries are read (a few per image), and the
// indexes among the others only while some referrer's subject is still
// unaccounted for, so that a layout of many tags stays quick to update.
func dropOrphans(ctx context.Context, docs *docReader, entries []ocispec.Descriptor, added []referrerEntry) ([]ocispec.Descriptor, error) {
	known := make(map[digest.Digest]referrerEntry, len(added))
	for _, r := range added {
		known[r.desc.Digest] = r
	}
	w := newOrphanWalk(len(entries))
	var roots, indexes []ocispec.Descriptor
	for i, e := range entries {
		if signed, ok := signatureOf(e); ok {
			w.wait(i, signed, e.Digest)
			continue
		}
		// An entry that cannot be read is kept: never judged an orphan.
		if r, ok, _ := docs.asReferrer(ctx, e, known); ok {
			w.wait(i, r.subject, e.Digest)
			continue
		}
		roots = append(roots, e)
		if oci.IsIndex(e.MediaType) {
			indexes = append(indexes, e)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, e := range roots {
		w.reach(e.Digest)
	}
	if w.pending > 0 && !w.expand(ctx, docs, indexes) {
		return entries, nil // an index cannot be read: keep everything
	}
	if w.pending == 0 {
		return entries, nil
	}
	kept := make([]ocispec.Descriptor, 0, len(entries)-w.pending)
	for i, e := range entries {
		if !w.candidate[i] || w.kept[i] {
			kept = append(kept, e)
			continue
		}
		if r, ok := known[e.Digest]; ok {
			return nil, fmt.Errorf("referrer %s: its subject %s is neither the image tagged nor anything else the layout keeps (tag the image in the same update): %w",
				e.Digest, r.subject, errdef.ErrNotFound)
		}
	}
	return kept, nil
}

// orphanWalk finds the referrers reached from the other entries of an
// index, in time linear in their number: each referrer waits on its
// subject and is released (and releases its own referrers) when that is
// reached.
type orphanWalk struct {
	reached   digestSet
	waiting   map[digest.Digest][]int // entry positions by subject
	digests   []digest.Digest         // entry digests by position
	candidate []bool                  // by position: a referrer
	kept      []bool                  // by position: a referrer reached
	pending   int                     // referrers not reached yet
}

func newOrphanWalk(n int) *orphanWalk {
	return &orphanWalk{
		reached:   digestSet{},
		waiting:   map[digest.Digest][]int{},
		digests:   make([]digest.Digest, n),
		candidate: make([]bool, n),
		kept:      make([]bool, n),
	}
}

// wait records that the referrer at position i, of digest d, is kept
// once subject is reached.
func (w *orphanWalk) wait(i int, subject, d digest.Digest) {
	w.waiting[subject] = append(w.waiting[subject], i)
	w.digests[i] = d
	w.candidate[i] = true
	w.pending++
}

// reach marks d as reached, and with it every referrer waiting on it and,
// in turn, theirs.
func (w *orphanWalk) reach(d digest.Digest) {
	stack := []digest.Digest{d}
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if w.reached.has(d) {
			continue
		}
		w.reached[d] = struct{}{}
		for _, i := range w.waiting[d] {
			w.kept[i] = true
			w.pending--
			stack = append(stack, w.digests[i])
		}
		delete(w.waiting, d)
	}
}

// expand reaches the manifests of indexes (and of the indexes they list),
// newest entry first, until no referrer is pending. It reports false,
// leaving the walk unfinished, when one cannot be read.
func (w *orphanWalk) expand(ctx context.Context, docs *docReader, indexes []ocispec.Descriptor) bool {
	read := digestSet{}
	for i := len(indexes) - 1; i >= 0 && w.pending > 0; i-- {
		queue := []ocispec.Descriptor{indexes[i]}
		for len(queue) > 0 {
			d := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			if read.has(d.Digest) {
				continue
			}
			read[d.Digest] = struct{}{}
			doc, err := docs.read(ctx, d)
			if err != nil {
				return false
			}
			for _, m := range doc.Manifests {
				w.reach(m.Digest)
				if oci.IsIndex(m.MediaType) {
					queue = append(queue, m)
				}
			}
		}
	}
	return true
}

// signatureOf reads the image a legacy signature tag (cosign's
// sha256-HEX.sig) names: such an entry is kept while that image is, as a
// referrer is.
func signatureOf(e ocispec.Descriptor) (digest.Digest, bool) {
	name := e.Annotations[ocispec.AnnotationRefName]
	hex, ok := strings.CutSuffix(strings.TrimPrefix(name, "sha256-"), ".sig")
	if !ok || len(name) != len("sha256-")+len(hex)+len(".sig") {
		return "", false
	}
	d := digest.NewDigestFromEncoded(digest.SHA256, hex)
	return d, d.Validate() == nil
}
