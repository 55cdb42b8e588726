package layout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// maxDocSize bounds a manifest or index read while walking the graph.
const maxDocSize = oci.MaxManifestSize

// digestSet is a set of blob digests.
type digestSet map[digest.Digest]struct{}

func (s digestSet) has(d digest.Digest) bool {
	_, ok := s[d]
	return ok
}

// blobFile is one file of blobs/ALG named by a digest.
type blobFile struct {
	digest digest.Digest
	size   int64
	name   string // relative to the layout
}

// graphDoc holds the fields of a manifest or index, of any kind (OCI or
// Docker, image, index or artifact), that name other blobs.
type graphDoc struct {
	MediaType    string               `json:"mediaType"`
	ArtifactType string               `json:"artifactType"`
	Manifests    []ocispec.Descriptor `json:"manifests"`
	Config       *ocispec.Descriptor  `json:"config"`
	Layers       []ocispec.Descriptor `json:"layers"`
	Blobs        []ocispec.Descriptor `json:"blobs"`
	Subject      *ocispec.Descriptor  `json:"subject"`
	Annotations  map[string]string    `json:"annotations"`
}

// node is a blob the walk reads as a manifest or index. A strict node is
// named as one (by index.json, an index, or a subject): failing to read it
// fails the walk, since what it references could not be known. A lenient
// node (a base named by annotation) is kept whatever it holds.
type node struct {
	desc   ocispec.Descriptor
	strict bool
}

// reachable returns the blobs that index.json reaches: every entry it
// lists, tagged or not (krust lists the referrers it keeps, SBOMs and
// provenance, untagged; so do oras attach and oras cp), and what they
// name: indexes' manifests, configs, layers, blobs, subjects, and the base
// image a manifest names in org.opencontainers.image.base.digest, so that
// a later build on the same base needs no download.
//
// Nothing else is live. In particular a referrer in blobs/ that index.json
// does not list is not, whatever its subject: that is how the SBOM and
// provenance a rebuild superseded go, and no reader of the layout (oras
// discover --oci-layout, krust push, oras cp) would find it anyway. A
// manifest named strictly that is present but unreadable is an error: gc
// must not guess.
func (l *Layout) reachable(ctx context.Context) (digestSet, error) {
	idx, err := l.Index(ctx)
	if err != nil {
		return nil, err
	}
	docs, err := l.docs()
	if err != nil {
		return nil, err
	}
	defer docs.Close()
	keep := digestSet{}
	var queue []node
	for _, d := range idx.Manifests {
		queue = append(queue, node{desc: d, strict: true})
	}
	for len(queue) > 0 {
		n := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if keep.has(n.desc.Digest) {
			continue
		}
		keep[n.desc.Digest] = struct{}{}
		doc, err := docs.readNode(ctx, n)
		if err != nil {
			return nil, err
		}
		queue = append(queue, l.next(doc, keep)...)
	}
	return keep, nil
}

// next marks the leaves doc names as kept and returns the documents it
// names, to be walked.
func (l *Layout) next(doc graphDoc, keep digestSet) []node {
	for _, leaf := range append(append(doc.Layers, doc.Blobs...), deref(doc.Config)...) {
		keep[leaf.Digest] = struct{}{}
	}
	var out []node
	for _, d := range append(doc.Manifests, deref(doc.Subject)...) {
		out = append(out, node{desc: d, strict: true})
	}
	if b, err := digest.Parse(doc.Annotations[ocispec.AnnotationBaseImageDigest]); err == nil {
		if size, err := l.Size(b); err == nil {
			out = append(out, node{desc: ocispec.Descriptor{Digest: b, Size: size}})
		}
	}
	return out
}

func deref(d *ocispec.Descriptor) []ocispec.Descriptor {
	if d == nil {
		return nil
	}
	return []ocispec.Descriptor{*d}
}

// readNode reads the blob of n as a manifest or index. A missing blob names
// nothing more; a blob that is not JSON is a leaf, unless n is strict and
// its media type says it is a manifest or index.
func (r *docReader) readNode(ctx context.Context, n node) (graphDoc, error) {
	var doc graphDoc
	if validateDescriptor(n.desc) != nil {
		return doc, nil
	}
	strict := n.strict && (oci.IsManifest(n.desc.MediaType) || oci.IsIndex(n.desc.MediaType))
	if n.desc.Size > maxDocSize && !strict {
		return doc, nil
	}
	err := r.decode(ctx, n.desc, &doc)
	switch {
	case err == nil:
		return doc, nil
	case errors.Is(err, errdef.ErrNotFound), !n.strict:
		return graphDoc{}, nil
	case errors.Is(err, oci.ErrNotJSON) && strict:
		return graphDoc{}, fmt.Errorf("%s %s is not valid JSON (rebuild the image, or remove its tag): %w: %w", n.desc.MediaType, n.desc.Digest, ErrInvalidLayout, err)
	case errors.Is(err, oci.ErrNotJSON):
		return graphDoc{}, nil
	}
	return graphDoc{}, fmt.Errorf("%s names %s, which cannot be read, so what it references is unknown (rebuild the image, or remove its tag): %w", n.desc.MediaType, n.desc.Digest, err)
}

// listBlobs returns the blob files of every blobs/ALG directory of a
// digest algorithm we know, and this package's temp files there and, when
// older than leftoverAge, in the layout directory (an index.json whose
// writer died). Anything else (a symlink, a directory, a name that is not
// a digest) is not ours to judge and is left out, so gc never removes it.
func (l *Layout) listBlobs() (blobs []blobFile, temps []blobFile, err error) {
	// Through the layout's root: a blobs/ or blobs/ALG that links out of
	// the layout is refused, so gc can never list, let alone remove,
	// files elsewhere.
	root, err := openRoot(l.dir)
	if err != nil {
		return nil, nil, fmt.Errorf("list blobs of %s: %w", l.dir, err)
	}
	defer root.Close()
	algs, err := readDirIn(root, blobsDir)
	if err != nil {
		return nil, nil, fmt.Errorf("list blobs of %s: %w", l.dir, err)
	}
	temps = leftoversIn(root, ".", time.Now().Add(-leftoverAge))
	for _, a := range algs {
		alg := digest.Algorithm(a.Name())
		if !a.IsDir() || !alg.Available() {
			continue
		}
		dir := filepath.Join(blobsDir, a.Name())
		entries, err := readDirIn(root, dir)
		if err != nil {
			return nil, nil, fmt.Errorf("list blobs of %s: %w", l.dir, err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue // removed meanwhile
			}
			f := blobFile{digest: digest.NewDigestFromEncoded(alg, e.Name()), size: info.Size(), name: filepath.Join(dir, e.Name())}
			switch {
			case strings.HasPrefix(e.Name(), tmpPrefix):
				temps = append(temps, f)
			case f.digest.Validate() == nil:
				blobs = append(blobs, f)
			}
		}
	}
	return blobs, temps, nil
}

// readDirIn lists the directory name inside root, refusing a name that
// leads out of it (os.Root resolves every link within root).
func readDirIn(root *os.Root, name string) ([]os.DirEntry, error) {
	d, err := root.Open(name)
	if err != nil {
		return nil, entryError(filepath.Join(root.Name(), name), err)
	}
	defer d.Close()
	info, err := d.Stat()
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", filepath.Join(root.Name(), name))
	}
	return d.ReadDir(-1)
}
