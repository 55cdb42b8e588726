package layout

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

const sigType = "application/vnd.example.signature"

// TestGCFreesTheSupersededDocumentsOfATaggedImage: ten rebuilds of the
// same image with other build settings keep it tagged, each with a new
// provenance (and every other one a new SBOM) that supersedes the last,
// and each SBOM signed. gc then leaves exactly what index.json reaches:
// the image, the last build's documents, the signature of its SBOM, and a
// signature of the image itself (a type no build supersedes).
func TestGCFreesTheSupersededDocumentsOfATaggedImage(t *testing.T) {
	ctx := context.Background()
	g := graph{t: t, l: newLayout(t)}
	b := g.build("app")
	g.apply(b, "latest")
	empty := g.blob(ocispec.MediaTypeEmptyJSON, "{}")
	imageSig := g.referrer(sigType, b.images[0], empty, g.blob(sigType, `{"signed":"image"}`))
	g.record(Update{Referrers: []ocispec.Descriptor{imageSig}})
	var last []ocispec.Descriptor // the blobs of the last build's documents
	for round := 1; round <= 10; round++ {
		var refs []ocispec.Descriptor
		last = nil
		for i, img := range b.images {
			sbomDoc := g.blob(spdxType, fmt.Sprintf(`{"image":%d,"sbom":%d}`, i, round/2))
			provDoc := g.blob(provenanceType, fmt.Sprintf(`{"image":%d,"cargo_args":["-j","%d"]}`, i, round))
			sbom := g.referrer(spdxType, img, empty, sbomDoc)
			prov := g.referrer(provenanceType, img, empty, provDoc)
			refs = append(refs, sbom, prov)
			last = append(last, sbomDoc, provDoc, sbom, prov)
		}
		g.record(Update{Desc: b.index, Tags: []string{"latest"}, Referrers: refs, Supersede: []string{spdxType, provenanceType}})
		sigDoc := g.blob(sigType, fmt.Sprintf(`{"signed":"sbom","round":%d}`, round))
		sig := g.referrer(sigType, refs[0], empty, sigDoc)
		g.record(Update{Referrers: []ocispec.Descriptor{sig}})
		last = append(last, sigDoc, sig)
	}
	want := slices.Concat([]ocispec.Descriptor{b.index, empty, imageSig}, last)
	for _, img := range b.images {
		m := readManifest(t, g.l, img)
		want = append(want, img, m.Config, m.Layers[0])
	}
	want = append(want, readManifest(t, g.l, imageSig).Layers[0])
	before := len(blobNames(t, g.l))
	res, err := g.l.GC(ctx, GCOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := blobNames(t, g.l)
	if !slices.Equal(got, uniqueSorted(digestsOf(want))) {
		t.Errorf("after gc %d blobs (%d before, %+v), want exactly the %d index.json reaches:\ngot  %v\nwant %v",
			len(got), before, res, len(uniqueSorted(digestsOf(want))), got, uniqueSorted(digestsOf(want)))
	}
	for _, r := range mustIndex(t, g.l).Manifests {
		if !slices.Contains(got, r.Digest.String()) {
			t.Errorf("index.json lists %s, which gc removed", r.Digest)
		}
	}
}

// TestGCKeepsWhatOrasAttachLists: a signature oras attach --oci-layout
// adds is listed in index.json (untagged, as krust lists its own
// referrers), so gc keeps it while its subject is tagged, and oras
// discover still finds it; one written into blobs/ only, which no reader
// finds, goes. A rebuild that moves the tag drops the attached one from
// index.json with the old image, and gc frees both.
func TestGCKeepsWhatOrasAttachLists(t *testing.T) {
	oras := requireTool(t, "oras", "go install oras.land/oras/cmd/oras@v1.3.6")
	ctx := context.Background()
	g := graph{t: t, l: newLayout(t)}
	one := g.build("one")
	g.apply(one, "latest")
	file := filepath.Join(t.TempDir(), "sig.json")
	writeFile(t, file, `{"signed":"one"}`)
	run(t, oras, "attach", "--disable-path-validation", "--oci-layout", g.l.Dir()+":latest", "--artifact-type", sigType, file+":application/json")
	attached := orasDiscover(t, oras, g.l.Dir()+":latest", sigType)
	if len(attached) != 1 {
		t.Fatalf("oras discover found %d signatures after oras attach, want 1", len(attached))
	}
	empty := g.blob(ocispec.MediaTypeEmptyJSON, "{}")
	unlistedDoc := g.blob(sigType, `{"signed":"unlisted"}`)
	unlisted := g.referrer(sigType, one.index, empty, unlistedDoc)
	if _, err := g.l.GC(ctx, GCOptions{}); err != nil {
		t.Fatal(err)
	}
	if g.present(unlisted) || g.present(unlistedDoc) {
		t.Error("gc kept a signature of the tagged image that index.json does not list")
	}
	if got := orasDiscover(t, oras, g.l.Dir()+":latest", sigType); !sameDigests(got, attached) {
		t.Errorf("after gc oras discover finds %v, want the attached %v", digestsOf(got), digestsOf(attached))
	}
	sigBlobs := append([]ocispec.Descriptor{attached[0]}, readManifest(t, g.l, attached[0]).Layers...)
	for _, d := range sigBlobs {
		if !g.present(d) {
			t.Errorf("gc removed %s of the signature oras attached to the tagged image", d.Digest)
		}
	}
	two := g.build("two")
	g.record(Update{Desc: two.index, Tags: []string{"latest"}, Referrers: two.all(), Supersede: []string{spdxType, provenanceType}})
	if _, err := g.l.GC(ctx, GCOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, d := range append(sigBlobs, one.index, one.images[0], one.referrers[0][0]) {
		if g.present(d) {
			t.Errorf("gc kept %s of the image the tag no longer names", d.Digest)
		}
	}
	got, err := g.l.AllReferrers(ctx, two.index)
	if err != nil || !sameDigests(got, two.all()) {
		t.Errorf("referrers of the new build after gc: %v, %v; want %v", digestsOf(got), err, digestsOf(two.all()))
	}
}

// orasDiscover lists the referrers of artifactType oras finds for ref
// (DIR:TAG) in a layout, at any depth.
func orasDiscover(t *testing.T, oras, ref, artifactType string) []ocispec.Descriptor {
	t.Helper()
	out := run(t, oras, "discover", "--oci-layout", ref, "--artifact-type", artifactType, "--format", "json")
	var got struct {
		Referrers []ocispec.Descriptor `json:"referrers"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("oras discover output %s: %v", out, err)
	}
	return got.Referrers
}

func readManifest(t *testing.T, l *Layout, desc ocispec.Descriptor) ocispec.Manifest {
	t.Helper()
	var m ocispec.Manifest
	if err := json.Unmarshal(readBlob(t, l, desc), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// blobNames returns the sorted digests of the files in blobs/sha256.
func blobNames(t *testing.T, l *Layout) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(l.Dir(), "blobs", "sha256"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, "sha256:"+e.Name())
	}
	slices.Sort(out)
	return out
}

func uniqueSorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
