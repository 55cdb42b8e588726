package remote

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Artifact types of the referrers a krust build attaches.
const (
	spdxType       = "application/spdx+json"
	provenanceType = "application/vnd.in-toto+json"
)

// attached is an index in a layout with an SBOM and a provenance
// referrer per platform image, tagged latest in one Apply, as a build
// leaves it.
type attached struct {
	testIndex
	// byImage holds the referrers of each image, by its digest.
	byImage map[digest.Digest][]ocispec.Descriptor
	// referrers is what the layout lists for the index.
	referrers []ocispec.Descriptor
}

func writeAttached(t *testing.T, store *layout.Layout, content string) attached {
	t.Helper()
	ctx := context.Background()
	a := attached{testIndex: writeIndex(t, store, content), byImage: map[digest.Digest][]ocispec.Descriptor{}}
	var all []ocispec.Descriptor
	for _, img := range []testImage{a.amd64, a.arm64} {
		for _, typ := range []string{spdxType, provenanceType} {
			r := writeReferrer(t, store, img.manifest, typ, content+" "+img.manifest.Digest.String())
			a.byImage[img.manifest.Digest] = append(a.byImage[img.manifest.Digest], r)
			all = append(all, r)
		}
	}
	if err := store.Apply(ctx, layout.Update{Desc: a.index, Tags: []string{"latest"}, Referrers: all}); err != nil {
		t.Fatalf("record the index with its referrers: %v", err)
	}
	var err error
	if a.referrers, err = store.AllReferrers(ctx, a.index); err != nil {
		t.Fatal(err)
	}
	if len(a.referrers) != len(all) {
		t.Fatalf("the layout lists %d referrers, want %d", len(a.referrers), len(all))
	}
	return a
}

// writeReferrer writes an OCI 1.1 artifact: an image manifest with
// artifactType, the empty config, one layer holding a document, and
// subject.
func writeReferrer(t testing.TB, store *layout.Layout, subject ocispec.Descriptor, artifactType, content string) ocispec.Descriptor {
	t.Helper()
	ctx := context.Background()
	empty, err := store.WriteBlob(ctx, ocispec.MediaTypeEmptyJSON, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := store.WriteBlob(ctx, artifactType, []byte(`{"document":"`+artifactType+" of "+content+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	m := oci.NewManifest(empty, []ocispec.Descriptor{doc}, nil)
	m.Layers[0].MediaType = artifactType
	s := ocispec.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size}
	m.ArtifactType, m.Subject = artifactType, &s
	desc, data, err := oci.Encode(ocispec.MediaTypeImageManifest, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.WriteBlob(ctx, desc.MediaType, data); err != nil {
		t.Fatal(err)
	}
	desc.ArtifactType = artifactType
	return desc
}

// requireTool returns the path of a command the test needs. CI installs
// them all (.ci/run), so a missing one fails the test, naming how to
// install it, instead of skipping what it checks.
func requireTool(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed (%v): %s", name, err, install)
	}
	return path
}

// runTool runs a command with env added to the environment and returns
// its stdout; a failure fails the test with its stderr.
func runTool(t *testing.T, env []string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(cmd.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, exitErr.Stderr)
		}
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out
}

// digests returns the sorted digests of descs.
func digests(descs []ocispec.Descriptor) []string {
	out := make([]string, len(descs))
	for i, d := range descs {
		out[i] = d.Digest.String()
	}
	slices.Sort(out)
	return out
}
