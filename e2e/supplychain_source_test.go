package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testSourceDateEpoch: SOURCE_DATE_EPOCH dates the image and its
// documents, which then describe that image.
func testSourceDateEpoch(t *testing.T, b cratesBuild) {
	dir, _ := buildCrates(t, b.project, []string{"SOURCE_DATE_EPOCH=1700000000"}, "--oci-layout", filepath.Join(t.TempDir(), "dated"))
	image := manifestFor(t, dir, "v1")
	if image.Digest == b.image.Digest {
		t.Fatalf("SOURCE_DATE_EPOCH did not change the image %s", image.Digest)
	}
	refs := byArtifactType(t, orasDiscover(t, dir+":v1", "--oci-layout"))
	_, sbom := orasPullDocument(t, dir, refs[spdxArtifact].Digest.String())
	checkSBOM(t, readSPDX(t, sbom), sbomWant{project: b.project, arch: "amd64", image: image.Digest.String(),
		rustc: b.rustc, created: "2023-11-14T22:13:20Z"})
	_, prov := orasPullDocument(t, dir, refs[provenanceArtifact].Digest.String())
	checkProvenance(t, prov, provenanceWant{image: image.Digest.String(), platform: "linux/amd64",
		lockSHA: fileSHA256(t, filepath.Join(b.project, "Cargo.lock")), rustc: b.rustc})
}

// testGitSource: built from a git checkout, the provenance names the
// commit, and says whether tracked files had changes.
func testGitSource(t *testing.T, b cratesBuild) {
	requireTool(t, "git")
	if _, err := os.Stat(filepath.Join(b.project, ".git")); err == nil {
		t.Fatal("the shared copy is a git checkout: this test needs one that is not")
	}
	_, prov := orasPullDocument(t, b.layout, byArtifactType(t, b.referrers)[provenanceArtifact].Digest.String())
	if commit, _, found := provenanceSource(t, prov); found {
		t.Errorf("built outside any git checkout, the provenance names commit %s", commit)
	}
	project := filepath.Join(t.TempDir(), "crates-krust")
	mustRun(t, "", "cp", "-a", b.project, project)
	writeFile(t, filepath.Join(project, ".gitignore"), "/target\n")
	git := func(args ...string) string {
		return strings.TrimSpace(mustRun(t, project, "git", append([]string{"-c", "user.name=e2e", "-c", "user.email=e2e@example.invalid"}, args...)...))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "the fixture")
	head := git("rev-parse", "HEAD")
	for _, dirty := range []bool{false, true} {
		if dirty {
			writeFile(t, filepath.Join(project, ".gitignore"), "/target\n# a change to a tracked file\n")
		}
		dir, _ := buildCrates(t, project, nil, "--sbom", "none", "--oci-layout", filepath.Join(t.TempDir(), "layout"))
		_, prov := orasPullDocument(t, dir, byArtifactType(t, layoutReferrers(t, dir))[provenanceArtifact].Digest.String())
		commit, gotDirty, found := provenanceSource(t, prov)
		if !found || commit != head || gotDirty != dirty {
			t.Errorf("provenance names commit %q (found %v) dirty %v; want %s dirty %v", commit, found, gotDirty, head, dirty)
		}
	}
}
