package e2e

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testcrates"
)

// TestSupplyChainOfflineCache builds example/crates-krust offline with a
// cargo home that holds only the build's own sources: a local registry
// whose index knows every crate of Cargo.lock but which has the sources
// of only those the x86_64 build compiles, so not hex (a dev-dependency),
// either (aarch64 only) nor once_cell (the dependency of another member,
// tool, added here). cargo build works there; so must krust, SBOM
// included, listing exactly what `cargo tree -e normal,no-proc-macro`
// says is linked. Before, the SBOM step ran `cargo metadata`, which needs
// every source of Cargo.lock, and failed after cargo had built.
func TestSupplyChainOfflineCache(t *testing.T) {
	requireTool(t, "cargo")
	base := t.TempDir()
	project := copyCrates(t, base)
	manifest := filepath.Join(project, "Cargo.toml")
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, manifest, strings.Replace(string(data), `members = ["greeting"]`, `members = ["greeting", "tool"]`, 1))
	writeCrate(t, filepath.Join(project, "tool"), map[string]string{
		"Cargo.toml":  "[package]\nname = \"tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nonce_cell = \"1\"\n",
		"src/main.rs": "fn main() {}\n",
	})
	registry, home := filepath.Join(base, "registry"), filepath.Join(base, "cargo-home")
	if err := testcrates.Write(registry, testcrates.DebianRegistry, testcrates.CratesKrustAMD64); err != nil {
		t.Fatal(err)
	}
	env := []string{"CARGO_HOME=" + home}
	if err := testcrates.Offline(project, registry, append(os.Environ(), env...)); err != nil {
		t.Fatal(err)
	}

	docs := filepath.Join(base, "docs")
	res := krust(t, project, env, append(slices.Clone(glibcScratch), "--tag", "v1", "--sbom-dir", docs, "--", "--offline")...)
	if res.code != 0 {
		t.Fatalf("krust build offline: exit %d\n%s", res.code, res.stderr)
	}
	dir := ociRef(t, res, "v1")
	if !strings.Contains(res.stderr, "attached an SBOM (spdx) and SLSA provenance") {
		t.Errorf("stderr does not say the documents were attached:\n%s", res.stderr)
	}
	// The cargo home holds the sources of the build and nothing else.
	unpacked, _ := filepath.Glob(filepath.Join(home, "registry", "src", "*", "*"))
	var names []string
	for _, u := range unpacked {
		names = append(names, filepath.Base(u))
	}
	slices.Sort(names)
	if want := slices.Sorted(slices.Values(testcrates.CratesKrustAMD64)); !slices.Equal(names, want) {
		t.Errorf("the cargo home holds the sources %v, want only the build's %v", names, want)
	}
	// And the fixture means something: cargo metadata cannot read it.
	if meta := run(t, project, env, "cargo", "metadata", "--format-version", "1", "--offline"); meta.code == 0 || !contains(meta.stderr, "failed to download") {
		t.Errorf("cargo metadata offline: exit %d, want it to fail for want of a source:\n%s", meta.code, meta.stderr)
	}

	sbom, err := os.ReadFile(filepath.Join(docs, "crates-krust.spdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	view := readSPDX(t, sbom)
	checkSBOM(t, view, sbomWant{project: project, arch: "amd64", image: manifestFor(t, dir, "v1").Digest.String(),
		rustc: rustcVersion(t, project, "rustc")})
	tree := run(t, project, env, "cargo", "tree", "--offline", "-e", "normal,no-proc-macro", "--target", "x86_64-unknown-linux-gnu",
		"-p", "crates-krust", "--prefix", "none", "--format", "{p}")
	if tree.code != 0 {
		t.Fatalf("cargo tree: %s", tree.stderr)
	}
	var linked []string
	for _, line := range strings.Split(strings.TrimSpace(tree.stdout), "\n") {
		linked = append(linked, strings.Fields(line)[0])
	}
	slices.Sort(linked)
	if got, want := slices.Sorted(maps.Keys(view.crates)), slices.Compact(linked); !slices.Equal(got, want) {
		t.Errorf("the SBOM lists %v, cargo tree %v", got, want)
	}
}
