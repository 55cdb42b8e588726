package layout

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

func TestApplyRecordsTagsAndReferrersInOneWrite(t *testing.T) {
	ctx := context.Background()
	g := graph{t: t, l: newLayout(t)}
	b := g.build("one")
	g.apply(b, "v1", "latest")

	idx := mustIndex(t, g.l)
	if got := tagsOf(t, g.l); len(got) != 6 || !strings.HasPrefix(got[0], "v1=") || !strings.HasPrefix(got[1], "latest=") {
		t.Fatalf("index.json entries %v, want v1, latest and four untagged referrers", got)
	}
	for _, e := range idx.Manifests[2:] {
		if _, ok := e.Annotations[ocispec.AnnotationRefName]; ok || e.ArtifactType == "" || e.MediaType != ocispec.MediaTypeImageManifest {
			t.Errorf("referrer entry %+v: want an image manifest without ref.name, with artifactType", e)
		}
	}
	got, err := g.l.AllReferrers(ctx, b.index)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(digestsOf(got), digestsOf(b.all())) {
		t.Errorf("Referrers(index) = %v, want %v", digestsOf(got), digestsOf(b.all()))
	}
	for i, img := range b.images {
		got, err := g.l.AllReferrers(ctx, img)
		want := slices.Clone(b.referrers[i])
		sortReferrers(want)
		if err != nil || !slices.Equal(digestsOf(got), digestsOf(want)) {
			t.Errorf("Referrers(image %d) = %v, %v; want %v", i, digestsOf(got), err, digestsOf(want))
		}
		for _, r := range got {
			if r.ArtifactType != spdxType && r.ArtifactType != provenanceType {
				t.Errorf("referrer %s has artifactType %q", r.Digest, r.ArtifactType)
			}
		}
	}

	// The same build again adds nothing: referrers are listed once per digest.
	g.apply(b, "v1", "latest")
	if n := len(mustIndex(t, g.l).Manifests); n != 6 {
		t.Errorf("after the same update again index.json has %d entries, want 6", n)
	}
	if again, err := g.l.AllReferrers(ctx, b.index); err != nil || !slices.Equal(digestsOf(again), digestsOf(b.all())) {
		t.Errorf("Referrers after a second Apply = %v, %v", digestsOf(again), err)
	}
}

func TestApplyTakesTheArtifactTypeFromTheManifest(t *testing.T) {
	ctx := context.Background()
	g := graph{t: t, l: newLayout(t)}
	b := g.build("one")
	refs := b.all()
	for i := range refs {
		refs[i].ArtifactType = ""
		refs[i].Annotations = map[string]string{ocispec.AnnotationRefName: "not-a-tag", "keep": "me"}
	}
	if err := g.l.Apply(ctx, Update{Desc: b.index, Tags: []string{"latest"}, Referrers: refs}); err != nil {
		t.Fatal(err)
	}
	got := untaggedEntries(t, g.l)
	if len(got) != len(refs) {
		t.Fatalf("untagged entries %v, want the %d referrers", digestsOf(got), len(refs))
	}
	for _, e := range got {
		if e.ArtifactType != spdxType && e.ArtifactType != provenanceType {
			t.Errorf("entry %s: artifactType %q, want the manifest's", e.Digest, e.ArtifactType)
		}
		if _, ok := e.Annotations[ocispec.AnnotationRefName]; ok || e.Annotations["keep"] != "me" {
			t.Errorf("entry %s: annotations %v, want ref.name dropped and the others kept", e.Digest, e.Annotations)
		}
	}
	if d, err := g.l.Resolve(ctx, "not-a-tag"); !errors.Is(err, errdef.ErrNotFound) {
		t.Errorf("a referrer's ref.name became a tag: %v, %v", d.Digest, err)
	}
}

func TestApplyRefusesAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		update func(g graph, b build) Update
		want   error
		says   string
	}{
		{"nothing to do", func(g graph, b build) Update { return Update{Desc: b.index} }, errdef.ErrMissingReference, "no tag or referrer"},
		{"invalid tag", func(g graph, b build) Update {
			return Update{Desc: b.index, Tags: []string{"ok", "not ok"}, Referrers: b.all()}
		}, ErrInvalidTag, "not ok"},
		{"image missing", func(g graph, b build) Update {
			return Update{Desc: descFor(ocispec.MediaTypeImageIndex, []byte("gone")), Tags: []string{"latest"}, Referrers: b.all()}
		}, errdef.ErrNotFound, "not in the layout"},
		{"referrer missing", func(g graph, b build) Update {
			return Update{Desc: b.index, Tags: []string{"latest"}, Referrers: append(b.all(), descFor(ocispec.MediaTypeImageManifest, []byte(`{"never":"written"}`)))}
		}, errdef.ErrNotFound, "referrer"},
		{"referrer's layer missing", func(g graph, b build) Update {
			m := ocispecManifest(g, descFor(spdxType, []byte("never written")), b.images[0])
			return Update{Desc: b.index, Tags: []string{"latest"}, Referrers: []ocispec.Descriptor{m}}
		}, errdef.ErrNotFound, "not in the layout"},
		{"referrer without a subject", func(g graph, b build) Update {
			return Update{Desc: b.index, Tags: []string{"latest"}, Referrers: []ocispec.Descriptor{b.images[0]}}
		}, ErrInvalidLayout, "no valid subject"},
		{"referrer that is a layer", func(g graph, b build) Update {
			return Update{Desc: b.index, Tags: []string{"latest"}, Referrers: []ocispec.Descriptor{layer(g, "x")}}
		}, ErrInvalidLayout, "cannot have a subject"},
		{"artifactType differs from the manifest's", func(g graph, b build) Update {
			r := b.all()
			r[0].ArtifactType = "application/vnd.example+json"
			return Update{Desc: b.index, Tags: []string{"latest"}, Referrers: r}
		}, ErrInvalidLayout, "artifactType"},
		{"subject the layout does not keep", func(g graph, b build) Update {
			other := g.build("other") // written, never tagged
			return Update{Desc: b.index, Tags: []string{"latest"}, Referrers: other.all()}
		}, errdef.ErrNotFound, "neither the image tagged"},
		{"referrers alone for an image not tagged", func(g graph, b build) Update {
			return Update{Referrers: g.build("other").all()}
		}, errdef.ErrNotFound, "neither the image tagged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := graph{t: t, l: newLayout(t)}
			old := g.build("old")
			g.apply(old, "old")
			b := g.build("new")
			before := readIndexBytes(t, g.l)
			err := g.l.Apply(ctx, tt.update(g, b))
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("Apply = %v, want %v saying %q", err, tt.want, tt.says)
			}
			if after := readIndexBytes(t, g.l); after != before {
				t.Errorf("Apply failed but changed index.json:\n%s", after)
			}
		})
	}
}

// ocispecManifest writes a referrer of subject whose one layer is doc,
// which need not be in the layout.
func ocispecManifest(g graph, doc, subject ocispec.Descriptor) ocispec.Descriptor {
	empty := g.blob(ocispec.MediaTypeEmptyJSON, "{}")
	return g.referrer(spdxType, subject, empty, doc)
}

func TestApplyAddsReferrersToATaggedImage(t *testing.T) {
	ctx := context.Background()
	g := graph{t: t, l: newLayout(t)}
	b := g.build("one")
	g.apply(b, "latest")
	empty := g.blob(ocispec.MediaTypeEmptyJSON, "{}")
	sig := g.referrer("application/vnd.example.sig", b.referrers[0][0], empty, g.blob("application/octet-stream", "signature"))
	if err := g.l.Apply(ctx, Update{Referrers: []ocispec.Descriptor{sig}}); err != nil {
		t.Fatalf("Apply of a signature of an SBOM: %v", err)
	}
	got, err := g.l.AllReferrers(ctx, b.index)
	if err != nil {
		t.Fatal(err)
	}
	want := append(b.all(), sig)
	if !slices.Equal(digestsOf(got), digestsOf(want)) {
		t.Errorf("Referrers = %v, want the build's, then the signature of its SBOM: %v", digestsOf(got), digestsOf(want))
	}
}

// TestReferrersRefusesADamagedReferrer: a referrer whose blob is damaged
// fails Referrers (a push would go without it), while Apply keeps it, as
// it keeps everything it cannot read.
func TestReferrersRefusesADamagedReferrer(t *testing.T) {
	ctx := context.Background()
	g := graph{t: t, l: newLayout(t)}
	b := g.build("one")
	g.apply(b, "latest")
	damaged := b.referrers[0][0]
	writeFile(t, filepath.Join(g.l.Dir(), "blobs", "sha256", damaged.Digest.Encoded()), strings.Repeat("x", int(damaged.Size)))
	if _, err := g.l.AllReferrers(ctx, b.index); !errors.Is(err, ErrCorruptBlob) || !strings.Contains(err.Error(), damaged.Digest.String()) {
		t.Errorf("Referrers with a damaged referrer = %v, want ErrCorruptBlob naming %s", err, damaged.Digest)
	}
	g.apply(g.build("two"), "latest")
	if !slices.ContainsFunc(untaggedEntries(t, g.l), func(e ocispec.Descriptor) bool { return e.Digest == damaged.Digest }) {
		t.Error("Apply dropped a referrer it could not read")
	}
}
