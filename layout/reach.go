package layout

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
// node (a referrer, a base named by annotation) is kept whatever it holds.
type node struct {
	desc   ocispec.Descriptor
	strict bool
}

// reachable returns the blobs that index.json reaches: every tagged or
// listed manifest and index, what they name (indexes' manifests, config,
// layers, blobs, subject), every referrer whose subject is reached (SBOMs
// and provenance are stored untagged), and the base image a manifest names
// in org.opencontainers.image.base.digest, so that a later build on the
// same base needs no download. blobs is the layout's blob files, where
// referrers are looked for. A manifest named strictly that is present but
// unreadable is an error: gc must not guess.
func (l *Layout) reachable(ctx context.Context, blobs []blobFile) (digestSet, error) {
	idx, err := l.Index(ctx)
	if err != nil {
		return nil, err
	}
	referrers := l.referrers(ctx, blobs)
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
		doc, err := l.readNode(ctx, n)
		if err != nil {
			return nil, err
		}
		queue = append(queue, l.next(doc, keep)...)
		for _, r := range referrers[n.desc.Digest] {
			queue = append(queue, node{desc: r})
		}
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
func (l *Layout) readNode(ctx context.Context, n node) (graphDoc, error) {
	var doc graphDoc
	if validateDescriptor(n.desc) != nil {
		return doc, nil
	}
	strict := n.strict && isDocType(n.desc.MediaType)
	if n.desc.Size > maxDocSize && !strict {
		return doc, nil
	}
	err := oci.ReadJSON(ctx, l, n.desc, maxDocSize, &doc)
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

// isDocType reports whether mediaType is a manifest or index type this
// walk knows.
func isDocType(mediaType string) bool {
	return oci.IsManifest(mediaType) || oci.IsIndex(mediaType)
}

// referrers maps each subject digest to the blobs of the layout whose
// subject it is. Blobs that cannot be read or are not JSON are no one's
// referrers.
func (l *Layout) referrers(ctx context.Context, blobs []blobFile) map[digest.Digest][]ocispec.Descriptor {
	out := map[digest.Digest][]ocispec.Descriptor{}
	for _, b := range blobs {
		if b.size > maxDocSize || !startsWithBrace(l.dir, b.name) {
			continue
		}
		desc := ocispec.Descriptor{Digest: b.digest, Size: b.size}
		var doc graphDoc
		if oci.ReadJSON(ctx, l, desc, maxDocSize, &doc) != nil || doc.Subject == nil || doc.Subject.Digest.Validate() != nil {
			continue
		}
		desc.MediaType = doc.MediaType
		out[doc.Subject.Digest] = append(out[doc.Subject.Digest], desc)
	}
	return out
}

// startsWithBrace reports whether the file's first non-space byte is '{',
// so that layers are not read whole to find the few JSON documents. It
// opens the file as every read of the layout does, so a FIFO or a link
// out of the layout is never read.
func startsWithBrace(dir, name string) bool {
	f, _, err := openRegular(dir, name)
	if err != nil {
		return false
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 512)
	for {
		c, err := r.ReadByte()
		if err != nil {
			return false
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c == '{'
	}
}

// listBlobs returns the blob files of every blobs/ALG directory of a
// digest algorithm we know, and this package's temp files there. Anything
// else (a symlink, a directory, a name that is not a digest) is not ours
// to judge and is left out, so gc never removes it.
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
