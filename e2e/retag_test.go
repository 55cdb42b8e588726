package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestLaterBuildsAddToTheLayout(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "skopeo")
	project := copyExample(t, t.TempDir())
	layoutDir := filepath.Join(t.TempDir(), "shared-layout")
	buildTag := func(tag string) ocispec.Descriptor {
		res := krust(t, project, nil, append(glibcScratch, "--oci-layout", layoutDir, "--tag", tag)...)
		if dir := ociRef(t, res, tag); dir != layoutDir {
			t.Fatalf("printed layout %s, want %s", dir, layoutDir)
		}
		return manifestFor(t, layoutDir, tag)
	}
	v1 := buildTag("v1")
	stable := buildTag("stable")
	main := filepath.Join(project, "src", "main.rs")
	src, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, main, strings.Replace(string(src), "Hello", "Howdy", 1))
	v1again := buildTag("v1")

	if v1again.Digest == v1.Digest {
		t.Fatalf("changed source gave the same digest %s", v1.Digest)
	}
	var idx ocispec.Index
	readJSONFile(t, filepath.Join(layoutDir, "index.json"), &idx)
	// v1 and stable, and the SBOM and provenance of each: the first v1's
	// went with its tag.
	var tagged, referrers int
	for _, e := range idx.Manifests {
		if _, ok := e.Annotations[ocispec.AnnotationRefName]; ok {
			tagged++
		} else if e.ArtifactType != "" {
			referrers++
		}
	}
	if tagged != 2 || referrers != 4 || len(idx.Manifests) != 6 {
		t.Fatalf("index.json has %d entries, %d tagged and %d referrers, want v1 and stable with 2 referrers each: %+v", len(idx.Manifests), tagged, referrers, idx.Manifests)
	}
	if got := manifestFor(t, layoutDir, "stable").Digest; got != stable.Digest {
		t.Errorf("tag stable moved to %s, want it kept at %s", got, stable.Digest)
	}
	out := mustRun(t, "", "skopeo", "inspect", "--format", "{{.Digest}}", "oci:"+layoutDir+":v1")
	if strings.TrimSpace(out) != v1again.Digest.String() {
		t.Errorf("skopeo sees v1 at %s, want the rebuilt %s", out, v1again.Digest)
	}
	validateLayout(t, layoutDir)
}
