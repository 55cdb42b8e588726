package cargo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// togetherFiles is a workspace of three members with binaries (api with
// two) and two libraries: api enables shared's extra feature, which links
// the extra crate; worker uses shared without it, tool nothing. Built
// together, cargo unifies shared's features: worker's binary links extra
// too, which its SBOM must say.
var togetherFiles = map[string]string{
	"Cargo.toml": "[workspace]\nmembers = [\"api\", \"worker\", \"tool\", \"shared\", \"extra\"]\nresolver = \"2\"\n",
	"api/Cargo.toml": "[package]\nname = \"api\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n" +
		"[dependencies]\nshared = { path = \"../shared\", features = [\"extra\"] }\n",
	"api/src/main.rs":          "fn main() { println!(\"api {}\", shared::name()); }\n",
	"api/src/bin/api-admin.rs": "fn main() { println!(\"api-admin {}\", shared::name()); }\n",
	"worker/Cargo.toml": "[package]\nname = \"worker\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n" +
		"[dependencies]\nshared = { path = \"../shared\" }\n",
	"worker/src/main.rs": "fn main() { println!(\"worker {}\", shared::name()); }\n",
	"tool/Cargo.toml":    "[package]\nname = \"tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n",
	"tool/src/main.rs":   "fn main() { println!(\"tool\"); }\n",
	"shared/Cargo.toml": "[package]\nname = \"shared\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n" +
		"[dependencies]\nextra = { path = \"../extra\", optional = true }\n\n[features]\nextra = [\"dep:extra\"]\n",
	"shared/src/lib.rs": "#[cfg(feature = \"extra\")]\npub fn name() -> &'static str { extra::NAME }\n" +
		"#[cfg(not(feature = \"extra\"))]\npub fn name() -> &'static str { \"plain\" }\n",
	"extra/Cargo.toml": "[package]\nname = \"extra\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n",
	"extra/src/lib.rs": "pub const NAME: &str = \"extra\";\n",
}

func writeTogether(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for rel, content := range togetherFiles {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestBuildTogetherGraphs: packages built in one cargo invocation get one
// executable per binary, and each one's graph is what cargo built for it
// in that invocation (its unit graph), features unified across them:
// worker links extra, which it would not alone; tool links nothing.
func TestBuildTogetherGraphs(t *testing.T) {
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Skip("cargo is not installed:", err)
	}
	dir := writeTogether(t)
	env := append(os.Environ(), "CARGO_TARGET_DIR="+filepath.Join(dir, "target"))
	c := Cargo{Env: env}
	pkgs, bins := []string{"api", "worker", "tool"}, []string{"api", "api-admin", "worker", "tool"}
	arts, err := c.Build(context.Background(), BuildRequest{Dir: dir, Packages: pkgs, Bins: bins, Triples: []string{tripleX86}, Args: []string{"--offline"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range arts {
		got = append(got, a.Bin)
		if _, err := os.Stat(a.Path); err != nil || a.Triple != tripleX86 {
			t.Errorf("%s: %s for %s: %v", a.Bin, a.Path, a.Triple, err)
		}
	}
	if !slices.Equal(got, bins) {
		t.Fatalf("executables %v, want %v (the order of the request)", got, bins)
	}
	tests := []struct {
		pkg, bin string
		crates   []string
	}{
		{"api", "api", []string{"api", "extra", "shared"}},
		{"worker", "worker", []string{"extra", "shared", "worker"}},
		{"tool", "tool", []string{"tool"}},
	}
	buildArgs := []string{"--manifest-path", filepath.Join(dir, "Cargo.toml"), "--target", tripleX86, "--offline"}
	for _, p := range pkgs {
		buildArgs = append(buildArgs, "--package", p)
	}
	for _, b := range bins {
		buildArgs = append(buildArgs, "--bin", b)
	}
	for _, tc := range tests {
		t.Run(tc.pkg, func(t *testing.T) {
			req := DepsRequest{Dir: dir, Package: tc.pkg, Packages: pkgs, Bin: tc.bin, Triple: tripleX86, Args: []string{"--offline"}, Built: arts[0].Packages}
			g, err := c.Graph(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if names := crateNames(g); !slices.Equal(names, tc.crates) {
				t.Errorf("crates %v, want %v", names, tc.crates)
			}
			checkUnitGraphOf(t, dir, env, buildArgs, tripleX86, g)
		})
	}
	// Alone, worker links no extra: the graph is the invocation's.
	alone, err := c.Graph(context.Background(), DepsRequest{Dir: dir, Package: "worker", Bin: "worker", Triple: tripleX86, Args: []string{"--offline"}, Built: arts[0].Packages})
	if err != nil {
		t.Fatal(err)
	}
	if names := crateNames(alone); !slices.Equal(names, []string{"shared", "worker"}) {
		t.Errorf("worker alone links %v, want [shared worker]", names)
	}
}
