package layout

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestRebuildDropsOrphanedReferrersAndGCRemovesTheOldImage: when a tag moves
// to a new build, the old build's referrers leave index.json with it, so
// gc removes the old image, its SBOMs and provenance; the referrers of
// every image still tagged stay, and so do their blobs.
func TestRebuildDropsOrphanedReferrersAndGCRemovesTheOldImage(t *testing.T) {
	type step struct {
		build string
		tags  []string
	}
	tests := []struct {
		name  string
		steps []step
		live  []string // builds still tagged at the end
		gone  []string // builds no tag reaches any more
	}{
		{"rebuild moves the tag", []step{{"a", []string{"latest"}}, {"b", []string{"latest"}}}, []string{"b"}, []string{"a"}},
		{"another image keeps its tag", []step{{"app", []string{"app"}}, {"a", []string{"latest"}}, {"b", []string{"latest"}}}, []string{"app", "b"}, []string{"a"}},
		{"two tags on two images", []step{{"a", []string{"v1", "latest"}}, {"b", []string{"latest"}}}, []string{"a", "b"}, nil},
		{"the second tag moves too", []step{{"a", []string{"v1", "latest"}}, {"b", []string{"latest"}}, {"c", []string{"v1"}}}, []string{"b", "c"}, []string{"a"}},
		{"three rebuilds", []step{{"a", []string{"latest"}}, {"b", []string{"latest"}}, {"c", []string{"latest"}}}, []string{"c"}, []string{"a", "b"}},
		{"the same build again", []step{{"a", []string{"latest"}}, {"a", []string{"latest"}}}, []string{"a"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			g := graph{t: t, l: newLayout(t)}
			builds := map[string]build{}
			for _, s := range tt.steps {
				if _, ok := builds[s.build]; !ok {
					builds[s.build] = g.build(s.build)
				}
				g.apply(builds[s.build], s.tags...)
			}
			var want []ocispec.Descriptor
			for _, name := range tt.live {
				want = append(want, builds[name].all()...)
			}
			if got := untaggedEntries(t, g.l); !sameDigests(got, want) {
				t.Errorf("untagged entries %v, want the referrers of %v: %v", digestsOf(got), tt.live, digestsOf(want))
			}
			if _, err := g.l.GC(ctx, GCOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, name := range tt.live {
				for _, d := range builds[name].own {
					if !g.present(d) {
						t.Errorf("gc removed %s of %s, which is still tagged", d.Digest, name)
					}
				}
			}
			for _, name := range tt.gone {
				for _, d := range builds[name].own {
					if g.present(d) {
						t.Errorf("gc kept %s of %s, whose tags moved on", d.Digest, name)
					}
				}
			}
		})
	}
}

// TestApplyNeverDropsWhatItCannotJudge: only untagged referrers whose
// subject is known to be gone are dropped.
func TestApplyNeverDropsWhatItCannotJudge(t *testing.T) {
	ctx := context.Background()
	g := graph{t: t, l: newLayout(t)}
	old := g.build("old")
	g.apply(old, "latest")
	empty := g.blob(ocispec.MediaTypeEmptyJSON, "{}")
	// Another tool's: a tagged referrer of the old image, an untagged
	// image with its referrer, and an entry whose blob is missing.
	taggedRef := g.referrer("application/vnd.example.sig", old.images[0], empty, empty)
	foreign, _ := g.image("foreign", nil, nil, layer(g, "foreign"))
	foreignRef := g.referrer(spdxType, foreign, empty, empty)
	missing := descFor(ocispec.MediaTypeImageManifest, []byte(`{"subject":"gone"}`))
	// A signature of the old build's SBOM goes when the SBOM goes.
	sig := g.referrer("application/vnd.example.sig", old.referrers[0][0], empty, empty)
	addEntries(t, g.l, withTag(taggedRef, "signature"), foreign, foreignRef, missing, sig)

	g.apply(g.build("new"), "latest")
	entries := mustIndex(t, g.l).Manifests
	for _, d := range []ocispec.Descriptor{taggedRef, foreign, foreignRef, missing} {
		if !slices.ContainsFunc(entries, func(e ocispec.Descriptor) bool { return e.Digest == d.Digest }) {
			t.Errorf("Apply dropped %s, which it cannot judge or which is still reached", d.Digest)
		}
	}
	for _, d := range append(old.all(), sig) {
		if slices.ContainsFunc(entries, func(e ocispec.Descriptor) bool { return e.Digest == d.Digest }) {
			t.Errorf("Apply kept %s, an orphaned referrer", d.Digest)
		}
	}
	if _, err := g.l.GC(ctx, GCOptions{}); err != nil {
		t.Fatal(err)
	}
	if !g.present(old.images[0]) || g.present(old.images[1]) {
		t.Errorf("gc: the old image a tagged signature names must stay (%v), the other must go (%v)", g.present(old.images[0]), g.present(old.images[1]))
	}
}

// TestApplyDropsNothingWhileAnIndexCannotBeRead: a tagged index that cannot
// be read might hold any subject, so no referrer is judged an orphan.
func TestApplyDropsNothingWhileAnIndexCannotBeRead(t *testing.T) {
	g := graph{t: t, l: newLayout(t)}
	old := g.build("old")
	g.apply(old, "latest")
	broken := g.build("broken")
	g.apply(broken, "broken")
	if err := os.Remove(filepath.Join(g.l.Dir(), "blobs", "sha256", broken.index.Digest.Encoded())); err != nil {
		t.Fatal(err)
	}
	before := untaggedEntries(t, g.l)
	next := g.build("new")
	g.apply(next, "latest")
	if got := untaggedEntries(t, g.l); !sameDigests(got, append(before, next.all()...)) {
		t.Errorf("untagged entries %v, want all of %v and the new build's", digestsOf(got), digestsOf(before))
	}
}

// addEntries appends entries to index.json as another tool would.
func addEntries(t *testing.T, l *Layout, entries ...ocispec.Descriptor) {
	t.Helper()
	idx := mustIndex(t, l)
	idx.Manifests = append(idx.Manifests, entries...)
	if err := writeIndexFile(l.Dir(), idx); err != nil {
		t.Fatal(err)
	}
}

func withTag(d ocispec.Descriptor, tag string) ocispec.Descriptor {
	d.Annotations = map[string]string{ocispec.AnnotationRefName: tag}
	return d
}

// sameDigests reports whether a and b hold the same digests, in any order.
func sameDigests(a, b []ocispec.Descriptor) bool {
	x, y := digestsOf(a), digestsOf(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
