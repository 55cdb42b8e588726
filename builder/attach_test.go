package builder

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// platformManifests returns the image manifests of res, with their
// platforms: the one tagged (for single, its platform), or the index's.
func platformManifests(t *testing.T, store *layout.Layout, res Result, single ocispec.Platform) []ocispec.Descriptor {
	t.Helper()
	if res.Root.MediaType != ocispec.MediaTypeImageIndex {
		d := res.Root
		d.Platform = &single
		return []ocispec.Descriptor{d}
	}
	var idx ocispec.Index
	if err := oci.ReadJSON(context.Background(), store, res.Root, oci.MaxManifestSize, &idx); err != nil {
		t.Fatal(err)
	}
	return idx.Manifests
}

// TestRunAttachesDocumentsToEveryPlatform: every platform's image manifest
// gets one referrer per document, listed in index.json without a tag, its
// one layer the document, its subject that manifest (never the index).
func TestRunAttachesDocumentsToEveryPlatform(t *testing.T) {
	amd64, arm64 := ocispec.Platform{OS: "linux", Architecture: "amd64"}, ocispec.Platform{OS: "linux", Architecture: "arm64"}
	tests := []struct {
		name       string
		platforms  []ocispec.Platform
		sbom       attest.Format
		provenance attest.Format
		want       []string // artifact types per platform
	}{
		{"defaults", []ocispec.Platform{amd64}, "", "", []string{"application/spdx+json", "application/vnd.in-toto+json"}},
		{"cyclonedx", []ocispec.Platform{amd64}, attest.CycloneDX, attest.SLSA, []string{"application/vnd.cyclonedx+json", "application/vnd.in-toto+json"}},
		{"sbom only", []ocispec.Platform{amd64}, attest.SPDX, attest.None, []string{"application/spdx+json"}},
		{"provenance only", []ocispec.Platform{amd64}, attest.None, "", []string{"application/vnd.in-toto+json"}},
		{"neither", []ocispec.Platform{amd64}, attest.None, attest.None, nil},
		{"two platforms", []ocispec.Platform{amd64, arm64}, "", "", []string{"application/spdx+json", "application/vnd.in-toto+json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			opts.Platforms, opts.SBOM, opts.Provenance = tt.platforms, tt.sbom, tt.provenance
			res, err := Run(context.Background(), f, opts)
			if err != nil {
				t.Fatal(err)
			}
			if n := f.graphs.Load(); tt.sbom == attest.None && n != 0 {
				t.Errorf("cargo was asked for the crate graph %d times with no SBOM to write", n)
			}
			store := mustOpen(t, res.LayoutDir)
			idx, err := store.Index(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			untagged := map[digest.Digest]ocispec.Descriptor{}
			for _, e := range idx.Manifests {
				if _, tagged := e.Annotations[ocispec.AnnotationRefName]; !tagged {
					untagged[e.Digest] = e
				}
			}
			manifests := platformManifests(t, store, res, tt.platforms[0])
			if len(untagged) != len(tt.want)*len(manifests) || len(res.Referrers) != len(untagged) {
				t.Fatalf("%d untagged index entries and %d referrers, want %d", len(untagged), len(res.Referrers), len(tt.want)*len(manifests))
			}
			for _, r := range res.Referrers {
				checkReferrer(t, store, r, untagged[r.Manifest.Digest], manifests)
			}
			for _, m := range manifests {
				var types []string
				for _, r := range res.Referrers {
					if oci.PlatformString(r.Platform) == oci.PlatformString(*m.Platform) {
						types = append(types, r.Manifest.ArtifactType)
					}
				}
				if !slices.Equal(types, tt.want) {
					t.Errorf("%s has referrers %v, want %v", oci.PlatformString(*m.Platform), types, tt.want)
				}
			}
			// Tags still name the image alone.
			if got, err := store.FindImage(context.Background(), ""); err != nil || got.Digest != res.Root.Digest {
				t.Errorf("the layout's only image is %v (%v), want %s", got.Digest, err, res.Root.Digest)
			}
		})
	}
}

// checkReferrer checks that r, listed in index.json as entry, is an OCI
// 1.1 referrer of one of manifests, with its document as its one layer.
func checkReferrer(t *testing.T, store *layout.Layout, r Referrer, entry ocispec.Descriptor, manifests []ocispec.Descriptor) {
	t.Helper()
	if entry.Digest != r.Manifest.Digest || entry.ArtifactType != r.Manifest.ArtifactType {
		t.Errorf("index.json lists %s (artifactType %q) for referrer %s (%q)", entry.Digest, entry.ArtifactType, r.Manifest.Digest, r.Manifest.ArtifactType)
	}
	var m ocispec.Manifest
	if err := oci.ReadJSON(context.Background(), store, r.Manifest, oci.MaxManifestSize, &m); err != nil {
		t.Fatal(err)
	}
	if m.ArtifactType != r.Manifest.ArtifactType || m.Config.MediaType != ocispec.MediaTypeEmptyJSON || len(m.Layers) != 1 {
		t.Fatalf("referrer manifest artifactType %q config %s with %d layers", m.ArtifactType, m.Config.MediaType, len(m.Layers))
	}
	if m.Layers[0].Digest != r.Document.Digest || m.Layers[0].MediaType != r.Manifest.ArtifactType || m.Layers[0].Annotations[ocispec.AnnotationTitle] != r.FileName {
		t.Errorf("referrer layer %+v, want the document %s titled %s", m.Layers[0], r.Document.Digest, r.FileName)
	}
	i := slices.IndexFunc(manifests, func(d ocispec.Descriptor) bool { return m.Subject != nil && d.Digest == m.Subject.Digest })
	if i < 0 || oci.PlatformString(*manifests[i].Platform) != oci.PlatformString(r.Platform) {
		t.Fatalf("referrer subject %v is not the %s image manifest", m.Subject, oci.PlatformString(r.Platform))
	}
	data, err := oci.ReadBlob(context.Background(), store, r.Document, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) || !strings.Contains(string(data), manifests[i].Digest.Encoded()) {
		t.Errorf("%s does not name the image manifest %s it describes", r.FileName, manifests[i].Digest)
	}
}

// TestAttachedDocumentsAreReproducible: the same build in another place
// gives the same referrers, byte for byte.
func TestAttachedDocumentsAreReproducible(t *testing.T) {
	f, opts := newFake(t)
	a, err := Run(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	g, other := newFake(t)
	b, err := Run(context.Background(), g, other)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Referrers) != 2 || len(b.Referrers) != 2 {
		t.Fatalf("%d and %d referrers, want 2 each", len(a.Referrers), len(b.Referrers))
	}
	for i := range a.Referrers {
		if a.Referrers[i].Manifest.Digest != b.Referrers[i].Manifest.Digest {
			t.Errorf("%s: %s and %s from the same inputs", a.Referrers[i].FileName, a.Referrers[i].Manifest.Digest, b.Referrers[i].Manifest.Digest)
		}
	}
}

// TestRebuildReplacesTheOldImagesReferrers: a rebuild that moves the tag
// leaves the new image's documents listed, not the old one's as well.
func TestRebuildReplacesTheOldImagesReferrers(t *testing.T) {
	f, opts := newFake(t)
	first, err := Run(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	f.exe = append(f.exe, " changed"...)
	second, err := Run(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	if first.Root.Digest == second.Root.Digest {
		t.Fatal("the rebuild made the same image")
	}
	store := mustOpen(t, second.LayoutDir)
	for _, r := range []struct {
		res  Result
		want int
	}{{first, 0}, {second, 2}} {
		refs, err := store.AllReferrers(context.Background(), r.res.Root)
		if err != nil {
			t.Fatal(err)
		}
		if len(refs) != r.want {
			t.Errorf("image %s has %d referrers listed, want %d", r.res.Root.Digest, len(refs), r.want)
		}
	}
}

// TestGraphFailureFailsTheBuildAndLeavesNothing: without the crate graph
// there is no SBOM: the build fails, says how to go without, and leaves no
// layout.
func TestGraphFailureFailsTheBuildAndLeavesNothing(t *testing.T) {
	f, opts := newFake(t)
	f.graphErr = errors.New("cargo metadata failed")
	_, err := Run(context.Background(), f, opts)
	if !errors.Is(err, ErrCrateList) || !errors.Is(err, f.graphErr) || strings.Contains(err.Error(), "--") {
		t.Fatalf("error %v, want ErrCrateList with the graph's failure, naming no flag", err)
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, "target", "krust")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the failed build left its layout: %v", err)
	}
}

func TestPrepareRefusesUnknownDocumentSettings(t *testing.T) {
	for _, set := range []func(*testBuild){
		func(o *testBuild) { o.SBOM = "spdx-tag-value" },
		func(o *testBuild) { o.Provenance = "max" },
	} {
		f, opts := newFake(t)
		set(&opts)
		if _, err := Run(context.Background(), f, opts); err == nil || f.builds != 0 {
			t.Errorf("Run with SBOM %q provenance %q: %v after %d builds, want an error before cargo", opts.SBOM, opts.Provenance, err, f.builds)
		}
	}
}

// TestRebuildOfTheSameImageReplacesItsDocuments: the same image built
// again with another SBOM format, or without documents, carries that
// build's documents only.
func TestRebuildOfTheSameImageReplacesItsDocuments(t *testing.T) {
	tests := []struct {
		name       string
		sbom       attest.Format
		provenance attest.Format
		want       []string
	}{
		{"cyclonedx", attest.CycloneDX, "", []string{"application/vnd.cyclonedx+json", "application/vnd.in-toto+json"}},
		{"none", attest.None, attest.None, nil},
		{"same", "", "", []string{"application/spdx+json", "application/vnd.in-toto+json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			first, err := Run(context.Background(), f, opts)
			if err != nil {
				t.Fatal(err)
			}
			opts.SBOM, opts.Provenance = tt.sbom, tt.provenance
			second, err := Run(context.Background(), f, opts)
			if err != nil {
				t.Fatal(err)
			}
			if first.Root.Digest != second.Root.Digest {
				t.Fatalf("the documents changed the image: %s, then %s", first.Root.Digest, second.Root.Digest)
			}
			refs, err := mustOpen(t, second.LayoutDir).AllReferrers(context.Background(), second.Root)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range refs {
				got = append(got, r.ArtifactType)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("the image's referrers are %v after the rebuild, want %v", got, want)
			}
		})
	}
}

// documentKinds takes the settings as config settled them: "" is each
// setting's default, none drops it, and a value of the other setting (or
// none at all) is a caller's mistake, not a document.
func TestDocumentKinds(t *testing.T) {
	tests := []struct {
		name             string
		sbom, provenance attest.Format
		want             []attest.Format
		err              error
	}{
		{"defaults", "", "", []attest.Format{attest.SPDX, attest.SLSA}, nil},
		{"cyclonedx alone", attest.CycloneDX, attest.None, []attest.Format{attest.CycloneDX}, nil},
		{"none", attest.None, attest.None, nil, nil},
		{"provenance as the sbom", attest.SLSA, "", nil, attest.ErrUnknownFormat},
		{"an sbom as the provenance", "", attest.SPDX, nil, attest.ErrUnknownFormat},
		{"upper case", "SPDX", "", nil, attest.ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kinds, err := documentKinds(tt.sbom, tt.provenance)
			if !errors.Is(err, tt.err) {
				t.Fatalf("documentKinds error = %v, want %v", err, tt.err)
			}
			var got []attest.Format
			for _, k := range kinds {
				got = append(got, k.Format)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("documentKinds = %v, want %v", got, tt.want)
			}
		})
	}
}
