package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestSupplyChainTwoPlatforms cross-builds example/crates-krust for
// linux/amd64 and linux/arm64 with Debian's cargo (the one with an arm64
// standard library here): each platform's image gets its own SBOM and
// provenance, the arm64 SBOM lists either, which only aarch64 links, and
// --sbom-dir names the files after their platforms.
func TestSupplyChainTwoPlatforms(t *testing.T) {
	for _, tool := range []string{debianCargo, "/usr/bin/rustc", "aarch64-linux-gnu-gcc", "qemu-aarch64-static", "oras"} {
		requireTool(t, tool)
	}
	project := copyCrates(t, t.TempDir())
	docs := filepath.Join(t.TempDir(), "docs")
	env := []string{"PATH=/usr/bin:" + os.Getenv("PATH")}
	dir, res := buildCrates(t, project, env, "--platform", "linux/amd64,linux/arm64", "--cargo", debianCargo, "--sbom-dir", docs)
	if !strings.Contains(res.stderr, "attached an SBOM (spdx) and SLSA provenance to each of the 2 image manifests") {
		t.Errorf("stderr does not say what was attached:\n%s", res.stderr)
	}
	top := manifestFor(t, dir, "v1")
	if top.MediaType != ocispec.MediaTypeImageIndex {
		t.Fatalf("two platforms tagged as %s, want an image index", top.MediaType)
	}
	var idx ocispec.Index
	readJSONFile(t, blobPath(dir, top), &idx)
	if len(idx.Manifests) != 2 {
		t.Fatalf("the index lists %d images, want 2", len(idx.Manifests))
	}
	rustc := rustcVersion(t, project, "/usr/bin/rustc")
	lockSHA := fileSHA256(t, filepath.Join(project, "Cargo.lock"))
	var all []ocispec.Descriptor
	for _, m := range idx.Manifests {
		arch := m.Platform.Architecture
		t.Run(arch, func(t *testing.T) {
			// oras resolves a digest in a layout only when index.json lists
			// it; the platforms' manifests are reached through the index.
			subject, found := orasDiscoverSubject(t, dir+":v1", "--oci-layout", "--platform", "linux/"+arch)
			if subject != m.Digest.String() {
				t.Fatalf("oras discover --platform linux/%s resolved %s, want %s", arch, subject, m.Digest)
			}
			all = append(all, found...)
			if got, want := artifactTypes(found), []string{spdxArtifact, provenanceArtifact}; !slices.Equal(got, want) {
				t.Fatalf("oras discover finds %v for the %s image, want %v", got, arch, want)
			}
			refs := byArtifactType(t, found)
			for _, d := range found {
				checkReferrerManifest(t, dir, d, m)
			}
			name, sbom := orasPullDocument(t, dir, refs[spdxArtifact].Digest.String())
			checkSBOM(t, readSPDX(t, sbom), sbomWant{project: project, arch: arch, image: m.Digest.String(), rustc: rustc})
			_, prov := orasPullDocument(t, dir, refs[provenanceArtifact].Digest.String())
			checkProvenance(t, prov, provenanceWant{image: m.Digest.String(), platform: "linux/" + arch, lockSHA: lockSHA, rustc: rustc})
			for file, doc := range map[string][]byte{
				"crates-krust-linux-" + arch + ".spdx.json":       sbom,
				"crates-krust-linux-" + arch + ".provenance.json": prov,
			} {
				if data, err := os.ReadFile(filepath.Join(docs, file)); err != nil || !bytes.Equal(data, doc) {
					t.Errorf("--sbom-dir's %s is not the attached document (%v)", file, err)
				}
			}
			if name != "crates-krust.spdx.json" {
				t.Errorf("the layer's title is %s, want crates-krust.spdx.json", name)
			}
		})
	}
	if got := layoutReferrers(t, dir); !slices.Equal(digestsOf(got), digestsOf(all)) {
		t.Errorf("index.json lists referrers %v, the two images have %v", digestsOf(got), digestsOf(all))
	}
	entries, err := os.ReadDir(docs)
	if err != nil || len(entries) != 4 {
		t.Errorf("--sbom-dir holds %v (%v), want the 4 documents", entries, err)
	}
	// The SBOM's claim holds in the binary: only arm64's prints its side.
	out, err := exec.Command("qemu-aarch64-static", layerFile(t, dir, idx, "arm64", "app/crates-krust"), "qemu").Output()
	if s := runStatus(t, string(out)); err != nil || s.Side != "arm" || s.Arch != "aarch64" {
		t.Errorf("the arm64 binary under qemu: %v, %+v", err, s)
	}
}

// layerFile extracts path from the top layer of the arch image of idx.
func layerFile(t *testing.T, dir string, idx ocispec.Index, arch, path string) string {
	t.Helper()
	for _, m := range idx.Manifests {
		if m.Platform != nil && m.Platform.Architecture == arch {
			var man ocispec.Manifest
			readJSONFile(t, blobPath(dir, m), &man)
			return untarFile(t, blobPath(dir, man.Layers[len(man.Layers)-1]), path)
		}
	}
	t.Fatalf("no %s image in the index", arch)
	return ""
}

// TestSupplyChainBadSettings: a bad document setting fails before cargo
// builds anything, names the setting and where it came from, and leaves
// stdout empty.
func TestSupplyChainBadSettings(t *testing.T) {
	requireTool(t, "cargo")
	choices := "want spdx (SPDX 2.3 JSON, the default), cyclonedx (CycloneDX 1.6 JSON) or none"
	tests := []struct {
		name, settings string
		flags          []string
		want           []string
	}{
		{"unknown --sbom", "", []string{"--sbom", "bogus"}, []string{`sbom "bogus" (--sbom)`, choices}},
		{"unknown --provenance", "", []string{"--provenance", "in-toto"}, []string{`provenance "in-toto" (--provenance)`, "slsa"}},
		{"unknown sbom in Cargo.toml", `sbom = "xml"`, nil, []string{`sbom "xml"`, "Cargo.toml [package.metadata.krust]", choices}},
		{"--sbom-dir with nothing to write", "", []string{"--sbom", "none", "--provenance", "none", "--sbom-dir", "DOCS"}, []string{"--sbom-dir", "nothing to write"}},
		{"--sbom-dir is a file", "", []string{"--sbom-dir", "Cargo.lock"}, []string{"--sbom-dir", "not a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project := copyCrates(t, t.TempDir())
			if tt.settings != "" {
				manifest := readFileBytes(t, filepath.Join(project, "Cargo.toml"))
				writeFile(t, filepath.Join(project, "Cargo.toml"), string(manifest)+"\n[package.metadata.krust]\n"+tt.settings+"\n")
			}
			var flags []string
			for _, f := range tt.flags {
				flags = append(flags, strings.ReplaceAll(f, "DOCS", filepath.Join(project, "docs")))
			}
			res := krust(t, project, nil, append(slices.Clone(glibcScratch), flags...)...)
			assertCleanFailure(t, res, tt.want...)
			for _, left := range []string{"target", "docs"} {
				assertNoLayout(t, filepath.Join(project, left))
			}
		})
	}
}
