package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// cratesBuild is the --no-push build of example/crates-krust the
// subtests of TestSupplyChainCrates share.
type cratesBuild struct {
	project   string               // the copy built
	layout    string               // its layout, tagged v1
	docs      string               // its --sbom-dir
	image     ocispec.Descriptor   // the image manifest tagged v1
	referrers []ocispec.Descriptor // index.json's untagged entries, by digest
	rustc     string               // `rustc --version` in the project
}

// buildCrates builds the project with the flags of a build that works on
// this machine, tagged v1, plus extra, and returns the layout directory.
func buildCrates(t *testing.T, project string, env []string, extra ...string) (string, result) {
	t.Helper()
	res := krust(t, project, env, append(append(slices.Clone(glibcScratch), "--tag", "v1"), extra...)...)
	return ociRef(t, res, "v1"), res
}

// TestSupplyChainCrates builds example/crates-krust, real crates from
// Debian's packaged sources, once with the default documents (SPDX and
// SLSA provenance), and checks them with oras, their formats' own
// libraries, registries and the consumers of the layout; the other
// variants rebuild the same copy, so cargo builds only once.
func TestSupplyChainCrates(t *testing.T) {
	for _, tool := range []string{"cargo", "rustc", "oras"} {
		requireTool(t, tool)
	}
	project := copyCrates(t, t.TempDir())
	docs := filepath.Join(t.TempDir(), "docs")
	dir, res := buildCrates(t, project, nil, "--sbom-dir", docs)
	if !strings.Contains(res.stderr, "attached an SBOM (spdx) and SLSA provenance to the image manifest") {
		t.Errorf("stderr does not say which documents were attached:\n%s", res.stderr)
	}
	b := cratesBuild{project: project, layout: dir, docs: docs, image: manifestFor(t, dir, "v1"),
		referrers: layoutReferrers(t, dir), rustc: rustcVersion(t, project, "rustc")}

	t.Run("oras finds an SPDX SBOM and SLSA provenance in the layout", func(t *testing.T) { testLayoutDocuments(t, b) })
	t.Run("sbom-dir holds the attached documents", func(t *testing.T) { testSBOMDir(t, b) })
	t.Run("cyclonedx", func(t *testing.T) { testCycloneDX(t, b) })
	t.Run("none attaches nothing", func(t *testing.T) { testNoDocuments(t, b) })
	t.Run("a rebuild into the same layout replaces the documents", func(t *testing.T) { testRebuildReplacesDocuments(t, b) })
	t.Run("settings in Cargo.toml", func(t *testing.T) { testDocumentSettings(t, b) })
	t.Run("SOURCE_DATE_EPOCH dates the documents", func(t *testing.T) { testSourceDateEpoch(t, b) })
	t.Run("git commit in the provenance", func(t *testing.T) { testGitSource(t, b) })
	t.Run("same documents from a copy elsewhere", func(t *testing.T) { testReproducibleDocuments(t, b) })
	t.Run("registry without referrers API", func(t *testing.T) { testPushToTagSchema(t, b) })
	t.Run("air gap", func(t *testing.T) { testAirGapCarriesReferrers(t, b) })
	t.Run("consumers still resolve the tag", func(t *testing.T) { testConsumersIgnoreReferrers(t, b) })
}

func testLayoutDocuments(t *testing.T, b cratesBuild) {
	subject, found := orasDiscoverSubject(t, b.layout+":v1", "--oci-layout")
	if subject != b.image.Digest.String() {
		t.Errorf("oras discover resolved v1 to %s, the layout tags %s", subject, b.image.Digest)
	}
	if got, want := artifactTypes(found), []string{spdxArtifact, provenanceArtifact}; !slices.Equal(got, want) {
		t.Fatalf("oras discover finds %v, want %v", got, want)
	}
	if !slices.Equal(digestsOf(found), digestsOf(b.referrers)) {
		t.Errorf("oras discover finds %v, index.json lists %v", digestsOf(found), digestsOf(b.referrers))
	}
	refs := byArtifactType(t, found)
	for _, d := range found {
		checkReferrerManifest(t, b.layout, d, b.image)
	}

	name, data := orasPullDocument(t, b.layout, refs[spdxArtifact].Digest.String())
	if name != "crates-krust.spdx.json" {
		t.Errorf("oras pull wrote the SBOM as %s, want crates-krust.spdx.json", name)
	}
	checkSBOM(t, readSPDX(t, data), sbomWant{project: b.project, arch: "amd64", image: b.image.Digest.String(), rustc: b.rustc})

	name, data = orasPullDocument(t, b.layout, refs[provenanceArtifact].Digest.String())
	if name != "crates-krust.provenance.json" {
		t.Errorf("oras pull wrote the provenance as %s, want crates-krust.provenance.json", name)
	}
	checkProvenance(t, data, provenanceWant{image: b.image.Digest.String(), platform: "linux/amd64",
		lockSHA: fileSHA256(t, filepath.Join(b.project, "Cargo.lock")), rustc: b.rustc})
}

// --sbom-dir writes the very documents attached, under their titles.
func testSBOMDir(t *testing.T, b cratesBuild) {
	entries, err := os.ReadDir(b.docs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"crates-krust.provenance.json", "crates-krust.spdx.json"}; !slices.Equal(names, want) {
		t.Errorf("--sbom-dir holds %v, want %v", names, want)
	}
	for _, ref := range b.referrers {
		name, data := orasPullDocument(t, b.layout, ref.Digest.String())
		file, err := os.ReadFile(filepath.Join(b.docs, name))
		if err != nil || !bytes.Equal(file, data) {
			t.Errorf("--sbom-dir's %s is not the attached document (%v)", name, err)
		}
	}
}

// --sbom cyclonedx: the same crates in CycloneDX 1.6, and the same
// provenance, attached to the same image.
func testCycloneDX(t *testing.T, b cratesBuild) {
	dir, res := buildCrates(t, b.project, nil, "--sbom", "cyclonedx", "--oci-layout", filepath.Join(t.TempDir(), "cdx"))
	if got := manifestFor(t, dir, "v1"); got.Digest != b.image.Digest {
		t.Errorf("--sbom cyclonedx changed the image: %s, with spdx %s", got.Digest, b.image.Digest)
	}
	if !strings.Contains(res.stderr, "an SBOM (cyclonedx)") {
		t.Errorf("stderr does not name the CycloneDX SBOM:\n%s", res.stderr)
	}
	found := orasDiscover(t, dir+":v1", "--oci-layout")
	if got, want := artifactTypes(found), []string{cyclonedxArtifact, provenanceArtifact}; !slices.Equal(got, want) {
		t.Fatalf("oras discover finds %v, want %v", got, want)
	}
	refs := byArtifactType(t, found)
	if refs[provenanceArtifact].Digest != byArtifactType(t, b.referrers)[provenanceArtifact].Digest {
		t.Errorf("the provenance of the same image changed with the SBOM format")
	}
	checkReferrerManifest(t, dir, refs[cyclonedxArtifact], b.image)
	name, data := orasPullDocument(t, dir, refs[cyclonedxArtifact].Digest.String())
	if name != "crates-krust.cdx.json" {
		t.Errorf("oras pull wrote the SBOM as %s, want crates-krust.cdx.json", name)
	}
	checkSBOM(t, readCycloneDX(t, data), sbomWant{project: b.project, arch: "amd64", image: b.image.Digest.String(), rustc: b.rustc})
}

// --sbom none --provenance none: the layout holds the image alone.
func testNoDocuments(t *testing.T, b cratesBuild) {
	dir, res := buildCrates(t, b.project, nil, "--sbom", "none", "--provenance", "none", "--oci-layout", filepath.Join(t.TempDir(), "none"))
	var idx ocispec.Index
	readJSONFile(t, filepath.Join(dir, "index.json"), &idx)
	if len(idx.Manifests) != 1 || idx.Manifests[0].Digest != b.image.Digest {
		t.Errorf("index.json lists %v, want only the image %s", idx.Manifests, b.image.Digest)
	}
	if found := orasDiscover(t, dir+":v1", "--oci-layout"); len(found) != 0 {
		t.Errorf("oras discover finds %v, want nothing", found)
	}
	if strings.Contains(res.stderr, "attached") {
		t.Errorf("stderr says something was attached:\n%s", res.stderr)
	}
}

// The sbom and provenance keys of [package.metadata.krust] choose the
// documents; the flags win over them.
func testDocumentSettings(t *testing.T, b cratesBuild) {
	// A copy with the compiled crates, so cargo rebuilds little.
	project := filepath.Join(t.TempDir(), "crates-krust")
	mustRun(t, "", "cp", "-a", b.project, project)
	manifest, err := os.ReadFile(filepath.Join(b.project, "Cargo.toml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, settings string
		flags          []string
		want           []string
	}{
		{"sbom = cyclonedx", `sbom = "cyclonedx"`, nil, []string{cyclonedxArtifact, provenanceArtifact}},
		{"--sbom wins over Cargo.toml", `sbom = "cyclonedx"`, []string{"--sbom", "spdx"}, []string{spdxArtifact, provenanceArtifact}},
		{"provenance = none", `provenance = "none"`, nil, []string{spdxArtifact}},
		{"both none", "sbom = \"none\"\nprovenance = \"none\"", nil, nil},
		{"--provenance wins over Cargo.toml", "sbom = \"none\"\nprovenance = \"none\"", []string{"--provenance", "slsa"}, []string{provenanceArtifact}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeFile(t, filepath.Join(project, "Cargo.toml"), string(manifest)+"\n[package.metadata.krust]\n"+tt.settings+"\n")
			flags := append([]string{"--oci-layout", filepath.Join(t.TempDir(), "layout")}, tt.flags...)
			dir, _ := buildCrates(t, project, nil, flags...)
			if got := artifactTypes(layoutReferrers(t, dir)); !slices.Equal(got, tt.want) {
				t.Errorf("attached %v, want %v", got, tt.want)
			}
		})
	}
}

// Two copies of the project in different directories give the same
// image and byte-for-byte the same documents.
func testReproducibleDocuments(t *testing.T, b cratesBuild) {
	other := copyCrates(t, filepath.Join(t.TempDir(), "elsewhere", "deeper"))
	docs := filepath.Join(t.TempDir(), "docs")
	dir, _ := buildCrates(t, other, nil, "--sbom-dir", docs)
	if got := manifestFor(t, dir, "v1"); got.Digest != b.image.Digest {
		t.Errorf("image %s from %s, %s from %s", got.Digest, other, b.image.Digest, b.project)
	}
	if got := layoutReferrers(t, dir); !slices.Equal(digestsOf(got), digestsOf(b.referrers)) {
		t.Errorf("referrers %v from %s, %v from %s", digestsOf(got), other, digestsOf(b.referrers), b.project)
	}
	for _, name := range []string{"crates-krust.spdx.json", "crates-krust.provenance.json"} {
		first, err1 := os.ReadFile(filepath.Join(b.docs, name))
		second, err2 := os.ReadFile(filepath.Join(docs, name))
		if err1 != nil || err2 != nil || !bytes.Equal(first, second) {
			t.Errorf("%s differs between the two copies (%v, %v)", name, err1, err2)
		}
	}
}

func digestsOf(ds []ocispec.Descriptor) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Digest.String())
	}
	slices.Sort(out)
	return out
}

// Rebuilding the same image into its layout with another SBOM format, and
// then with none, leaves it with that build's documents only, in the
// layout and in what krust push sends.
func testRebuildReplacesDocuments(t *testing.T, b cratesBuild) {
	dir := filepath.Join(t.TempDir(), "reused")
	mustRun(t, "", "cp", "-a", b.layout, dir)
	for _, step := range []struct {
		flags []string
		want  []string
	}{
		{[]string{"--sbom", "cyclonedx"}, []string{cyclonedxArtifact, provenanceArtifact}},
		{[]string{"--sbom", "none", "--provenance", "none"}, nil},
	} {
		buildCrates(t, b.project, nil, append(step.flags, "--oci-layout", dir)...)
		if got := artifactTypes(orasDiscover(t, dir+":v1", "--oci-layout")); !slices.Equal(got, step.want) {
			t.Errorf("after a rebuild with %v, oras discover finds %v, want %v", step.flags, got, step.want)
		}
	}
	reg := testregistry.Start(t, testregistry.Options{})
	pushed := krust(t, "", nil, "push", "--insecure-registry", reg.Host, "oci:"+dir+":v1", reg.Host+"/reused/app:v1")
	ref := pushedRef(t, pushed, reg.Host+"/reused/app")
	if strings.Contains(pushed.stderr, "referrer") {
		t.Errorf("the push sent referrers of a build that attached none:\n%s", pushed.stderr)
	}
	if found := orasDiscover(t, ref, "--plain-http"); len(found) != 0 {
		t.Errorf("the registry lists %v for %s, want nothing", artifactTypes(found), ref)
	}
}
