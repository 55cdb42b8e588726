package layout

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Artifact types of the referrers a krust build attaches.
const (
	spdxType       = "application/spdx+json"
	provenanceType = "application/vnd.in-toto+json"
)

// build is what one multi-platform build writes, as the builder will: an
// index of two images and, per image, an SBOM and a provenance referrer
// (image manifests with artifactType, the empty config, one layer, the
// image as subject).
type build struct {
	index     ocispec.Descriptor
	images    []ocispec.Descriptor   // amd64, arm64
	referrers [][]ocispec.Descriptor // per image: SBOM, provenance
	own       []ocispec.Descriptor   // every blob the build alone has
}

// all returns every referrer of the build, sorted as Referrers sorts them.
func (b build) all() []ocispec.Descriptor {
	out := slices.Concat(b.referrers...)
	sortReferrers(out)
	return out
}

func sortReferrers(descs []ocispec.Descriptor) {
	slices.SortFunc(descs, func(a, b ocispec.Descriptor) int {
		return cmp.Or(cmp.Compare(a.ArtifactType, b.ArtifactType), cmp.Compare(a.Digest, b.Digest))
	})
}

// build writes a build; name makes its blobs its own.
func (g graph) build(name string) build {
	g.t.Helper()
	var b build
	var entries []ocispec.Descriptor
	empty := g.blob(ocispec.MediaTypeEmptyJSON, "{}") // shared by every build
	for _, arch := range []string{"amd64", "arm64"} {
		l := layer(g, name+" "+arch)
		img, cfg := g.image(name+" "+arch, nil, nil, l)
		subject := img
		var refs []ocispec.Descriptor
		for _, typ := range []string{spdxType, provenanceType} {
			doc := g.blob(typ, `{"name":"`+name+" "+arch+" "+typ+`"}`)
			r := g.referrer(typ, subject, empty, doc)
			r.ArtifactType = typ
			refs = append(refs, r)
			b.own = append(b.own, doc, r)
		}
		b.images = append(b.images, img)
		b.referrers = append(b.referrers, refs)
		b.own = append(b.own, l, img, cfg)
		entry := img
		entry.Platform = &ocispec.Platform{OS: "linux", Architecture: arch}
		entries = append(entries, entry)
	}
	b.index = g.index(entries...)
	b.own = append(b.own, b.index)
	return b
}

// apply records b under tags with all its referrers.
func (g graph) apply(b build, tags ...string) {
	g.t.Helper()
	if err := g.l.Apply(context.Background(), Update{Desc: b.index, Tags: tags, Referrers: b.all()}); err != nil {
		g.t.Fatalf("Apply(%v): %v", tags, err)
	}
}

// untaggedEntries returns the untagged entries of index.json.
func untaggedEntries(t *testing.T, l *Layout) []ocispec.Descriptor {
	t.Helper()
	var out []ocispec.Descriptor
	for _, e := range mustIndex(t, l).Manifests {
		if !tagged(e) {
			out = append(out, e)
		}
	}
	return out
}

// readIndexBytes returns index.json as it is on disk.
func readIndexBytes(t *testing.T, l *Layout) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(l.Dir(), indexFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// digestsOf returns the digests of descs, for messages and comparisons.
func digestsOf(descs []ocispec.Descriptor) []string {
	out := make([]string, len(descs))
	for i, d := range descs {
		out[i] = d.Digest.String()
	}
	return out
}
