package cargo

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testcrates"
)

// TestGraphOfflineBuildsSources: a CARGO_HOME that holds only the sources
// the build used (a local registry whose index knows every crate of
// Cargo.lock, with the .crate files of only those the x86_64 build of
// example/crates-krust compiles), offline. cargo build works there, and so
// must the graph, while `cargo metadata` (what krust read the graph from
// before) fails for the source the build did not need: a dev-dependency,
// then another member's dependency. The graph lists exactly the crates of
// `cargo tree -e normal,no-proc-macro`, with Cargo.lock's checksums.
func TestGraphOfflineBuildsSources(t *testing.T) {
	requireCratesKrust(t)
	base := t.TempDir()
	dir := filepath.Join(base, "crates-krust")
	copyProject(t, filepath.Join("..", "example", "crates-krust"), dir)
	env := append(os.Environ(), "CARGO_HOME="+filepath.Join(base, "cargo-home"))
	registry := filepath.Join(base, "registry")
	if err := testcrates.Write(registry, testcrates.DebianRegistry, testcrates.CratesKrustAMD64); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		edit    func(t *testing.T) // what the case changes in the project
		missing string             // the source cargo metadata lacks
	}{
		{"a dev-dependency", func(*testing.T) {}, "hex v0.4.3"},
		{"another member's dependency", func(t *testing.T) {
			// No dev-dependency any more; a member that is not built
			// depends on once_cell, whose source is not there.
			manifest := filepath.Join(dir, "Cargo.toml")
			data, err := os.ReadFile(manifest)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Replace(string(data), "[dev-dependencies]\nhex = \"0.4\"\n", "", 1)
			text = strings.Replace(text, `members = ["greeting"]`, `members = ["greeting", "tool"]`, 1)
			writeTestFile(t, manifest, text)
			writeTestFile(t, filepath.Join(dir, "tool", "Cargo.toml"),
				"[package]\nname = \"tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nonce_cell = \"1\"\n")
			writeTestFile(t, filepath.Join(dir, "tool", "src", "main.rs"), "fn main() {}\n")
		}, "once_cell v1.17.0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.edit(t)
			if err := testcrates.Offline(dir, registry, env); err != nil {
				t.Fatal(err)
			}
			c := Cargo{Env: env}
			args := []string{"--offline"}
			arts, err := c.Build(context.Background(), BuildRequest{Dir: dir, Packages: []string{"crates-krust"}, Bins: []string{"crates-krust"}, Triples: []string{tripleX86}, Args: args})
			if err != nil {
				t.Fatalf("cargo build offline: %v", err)
			}
			meta := exec.Command("cargo", "metadata", "--format-version", "1", "--filter-platform", tripleX86, "--offline")
			meta.Dir, meta.Env = dir, env
			if out, err := meta.CombinedOutput(); err == nil || !strings.Contains(string(out), "failed to download `"+tc.missing+"`") {
				t.Fatalf("cargo metadata = %v, want it to fail for want of %s (else the fixture tests nothing):\n%s", err, tc.missing, out)
			}
			g, err := c.Graph(context.Background(), DepsRequest{Dir: dir, Package: "crates-krust", Bin: "crates-krust",
				Triple: tripleX86, Args: args, Built: arts[0].Packages})
			if err != nil {
				t.Fatalf("Graph after an offline build: %v", err)
			}
			if got, want := crateNames(g), treeNames(t, dir, env); !slices.Equal(got, want) {
				t.Errorf("graph lists %v, cargo tree %v", got, want)
			}
			sums := lockSums(t, dir)
			for _, c := range g.Crates {
				if want := sums[c.Name+" "+c.Version]; c.Checksum != want || c.Source.Kind == SourceRegistry && c.Checksum == "" {
					t.Errorf("%s: checksum %q, Cargo.lock %q", c.Name, c.Checksum, want)
				}
				if c.License == "" || c.Description == "" {
					t.Errorf("%s: license %q description %q, want its Cargo.toml's", c.Name, c.License, c.Description)
				}
			}
		})
	}
}

// requireCratesKrust fails the test unless cargo and Debian's packaged
// crates of example/crates-krust are there (CI installs them).
func requireCratesKrust(t *testing.T) {
	t.Helper()
	requireShopCrates(t)
	for _, c := range append(slices.Clone(testcrates.CratesKrustAMD64), "either-1.6.1") {
		if _, err := os.Stat(filepath.Join(debianRegistry, c, "Cargo.toml")); err != nil {
			t.Fatalf("Debian's packaged crate %s is not in %s: install librust-version-check-dev librust-either-dev", c, debianRegistry)
		}
	}
}

// copyProject copies the files of the project at src, without its target
// directory, to dst.
func copyProject(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil || d.IsDir() && rel == "target" {
			return cmpErr(err, filepath.SkipDir)
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// treeNames are the names of the crates `cargo tree -e normal,no-proc-macro`
// lists for the x86_64 build of the project in dir, sorted, once each.
func treeNames(t *testing.T, dir string, env []string) []string {
	t.Helper()
	cmd := exec.Command("cargo", "tree", "--offline", "-e", "normal,no-proc-macro", "--target", tripleX86,
		"-p", "crates-krust", "--prefix", "none", "--format", "{p}")
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cargo tree: %v", err)
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		names = append(names, strings.Fields(line)[0])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// lockSums maps "NAME VERSION" to the checksum of the Cargo.lock in dir.
func lockSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	_, locked, err := readLockfile(filepath.Join(dir, LockfileName))
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for k, sum := range locked {
		sums[k.name+" "+k.version] = sum
	}
	return sums
}
