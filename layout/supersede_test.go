package layout

import (
	"context"
	"slices"
	"testing"

	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestApplySupersedesTheImagesOwnDocuments: a rebuild of the same image
// with another SBOM format, or none, leaves the image with the documents
// of that build only; a signature (a type the build does not name) stays.
func TestApplySupersedesTheImagesOwnDocuments(t *testing.T) {
	const cdxType, sigType = "application/vnd.cyclonedx+json", "application/vnd.example.signature"
	own := []string{spdxType, "application/vnd.cyclonedx+json", provenanceType}
	tests := []struct {
		name      string
		supersede []string
		// again returns the referrers the second build attaches.
		again func(g graph, b build) []ocispec.Descriptor
		want  func(b build, again []ocispec.Descriptor, sig ocispec.Descriptor) []ocispec.Descriptor
	}{
		{"other format", own, func(g graph, b build) []ocispec.Descriptor {
			return []ocispec.Descriptor{otherReferrer(g, b, 0, cdxType), b.referrers[0][1], otherReferrer(g, b, 1, cdxType), b.referrers[1][1]}
		}, func(b build, again []ocispec.Descriptor, sig ocispec.Descriptor) []ocispec.Descriptor {
			return append(slices.Clone(again), sig)
		}},
		{"none", own, func(graph, build) []ocispec.Descriptor { return nil },
			func(_ build, _ []ocispec.Descriptor, sig ocispec.Descriptor) []ocispec.Descriptor {
				return []ocispec.Descriptor{sig}
			}},
		{"nothing superseded", nil, func(graph, build) []ocispec.Descriptor { return nil },
			func(b build, _ []ocispec.Descriptor, sig ocispec.Descriptor) []ocispec.Descriptor {
				return append(b.all(), sig)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			g := graph{t: t, l: newLayout(t)}
			b := g.build("one")
			g.apply(b, "v1")
			sig := otherReferrer(g, b, 0, sigType)
			if err := g.l.Apply(ctx, Update{Referrers: []ocispec.Descriptor{sig}}); err != nil {
				t.Fatal(err)
			}
			again := tt.again(g, b)
			if err := g.l.Apply(ctx, Update{Desc: b.index, Tags: []string{"v1"}, Referrers: again, Supersede: tt.supersede}); err != nil {
				t.Fatal(err)
			}
			got, err := g.l.AllReferrers(ctx, b.index)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want(b, again, sig)
			sortReferrers(want)
			if !slices.Equal(digestsOf(got), digestsOf(want)) {
				t.Errorf("referrers after the rebuild %v, want %v", digestsOf(got), digestsOf(want))
			}
		})
	}
}

// otherReferrer writes a referrer of artifactType for b's image i.
func otherReferrer(g graph, b build, i int, artifactType string) ocispec.Descriptor {
	g.t.Helper()
	empty := g.blob(ocispec.MediaTypeEmptyJSON, "{}")
	doc := g.blob(artifactType, `{"of":"`+b.images[i].Digest.String()+`"}`)
	r := g.referrer(artifactType, b.images[i], empty, doc)
	r.ArtifactType = artifactType
	return r
}

// TestApplySupersedesOnlyMarkedSignatures: a signed rebuild replaces the
// signatures it marked, on the image and its manifests, and keeps another
// tool's of the same artifact type.
func TestApplySupersedesOnlyMarkedSignatures(t *testing.T) {
	const bundleType, mark = "application/vnd.dev.sigstore.bundle.v0.3+json", "dev.example.ours"
	ctx := context.Background()
	g := graph{t: t, l: newLayout(t)}
	b := g.build("one")
	g.apply(b, "v1")
	signature := func(subject ocispec.Descriptor, name string, marked bool) ocispec.Descriptor {
		m := oci.NewReferrer(bundleType, subject, g.blob(bundleType, `{"sig":"`+name+`"}`), nil)
		if marked {
			m.Annotations = map[string]string{mark: "image"}
		}
		g.blob(ocispec.MediaTypeEmptyJSON, "{}")
		d := g.json(ocispec.MediaTypeImageManifest, m)
		d.ArtifactType = bundleType
		return d
	}
	oldOwn := []ocispec.Descriptor{signature(b.index, "old index", true), signature(b.images[0], "old image", true)}
	theirs := []ocispec.Descriptor{signature(b.index, "cosign", false), signature(b.images[1], "notation", false)}
	if err := g.l.Apply(ctx, Update{Referrers: append(slices.Clone(oldOwn), theirs...)}); err != nil {
		t.Fatal(err)
	}
	newOwn := []ocispec.Descriptor{signature(b.index, "new index", true), signature(b.images[0], "new image", true)}
	marked := []Marked{{ArtifactType: bundleType, Annotation: mark}}
	if err := g.l.Apply(ctx, Update{Desc: b.index, Tags: []string{"v1"}, Referrers: newOwn, SupersedeMarked: marked}); err != nil {
		t.Fatal(err)
	}
	got, err := g.l.AllReferrers(ctx, b.index)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append(b.all(), newOwn...), theirs...)
	sortReferrers(want)
	sortReferrers(got)
	if !slices.Equal(digestsOf(got), digestsOf(want)) {
		t.Errorf("referrers after the signed rebuild %v, want %v", digestsOf(got), digestsOf(want))
	}
}

// TestLegacySignatureTagsGoWithTheirImage: a legacy signature tagged
// sha256-HEX.sig is set in the same change as the image's tag, and is
// dropped, as a referrer would be, once the image it signs is no longer
// kept.
func TestLegacySignatureTagsGoWithTheirImage(t *testing.T) {
	ctx := context.Background()
	g := graph{t: t, l: newLayout(t)}
	b := g.build("one")
	sig, _ := g.image("signature of one", nil, nil)
	sigTag := "sha256-" + b.index.Digest.Encoded() + ".sig"
	if err := g.l.Apply(ctx, Update{Desc: b.index, Tags: []string{"v1"}, Also: []Tagged{{sig, sigTag}}}); err != nil {
		t.Fatal(err)
	}
	if got, err := g.l.Resolve(ctx, sigTag); err != nil || got.Digest != sig.Digest {
		t.Fatalf("the signature tag resolves to %v, %v; want %s", got.Digest, err, sig.Digest)
	}
	if err := g.l.Apply(ctx, Update{Desc: b.index, Tags: []string{"v1"}, Also: []Tagged{{sig, "not a tag!"}}}); err == nil {
		t.Error("an invalid Also tag was accepted")
	}
	other := g.build("two")
	g.apply(other, "v1")
	if _, err := g.l.Resolve(ctx, sigTag); err == nil {
		t.Error("the signature tag of an image no longer kept stayed in index.json")
	}
}
