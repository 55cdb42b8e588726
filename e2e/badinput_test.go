package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const binCrate = `[package]
name = "%s"
version = "0.1.0"
edition = "2021"
`

func crateToml(name string) string { return strings.Replace(binCrate, "%s", name, 1) }

// fixture makes a project directory for one bad-input case.
type fixture func(t *testing.T, dir string)

func helloCrate(t *testing.T, dir string) {
	writeCrate(t, dir, map[string]string{"Cargo.toml": crateToml("hello"), "src/main.rs": "fn main() {}\n"})
}

func TestBadInputFailsCleanly(t *testing.T) {
	requireTool(t, "cargo")
	tests := []struct {
		name    string
		fixture fixture
		args    []string
		want    []string // every string must be in stderr
	}{
		{"no Cargo.toml", func(*testing.T, string) {}, glibcScratch, []string{"no Cargo.toml in"}},
		{"library only", func(t *testing.T, dir string) {
			writeCrate(t, dir, map[string]string{"Cargo.toml": crateToml("just-a-lib"), "src/lib.rs": "pub fn f() {}\n"})
		}, glibcScratch, []string{"has no binary target", "library"}},
		{"compile error", func(t *testing.T, dir string) {
			writeCrate(t, dir, map[string]string{"Cargo.toml": crateToml("broken"), "src/main.rs": "fn main() { let x: u32 = \"nope\"; }\n"})
		}, glibcScratch, []string{"mismatched types", "cargo build for x86_64-unknown-linux-gnu failed"}},
		{"several binaries", func(t *testing.T, dir string) {
			writeCrate(t, dir, map[string]string{"Cargo.toml": crateToml("multi"), "src/main.rs": "fn main() {}\n", "src/bin/tool.rs": "fn main() {}\n"})
		}, glibcScratch, []string{"several binaries (multi, tool)", "--bin"}},
		{"unknown --bin", helloCrate, append(glibcScratch, "--bin", "nope"), []string{`no binary "nope"`, "hello"}},
		{"virtual workspace without -p", func(t *testing.T, dir string) {
			writeCrate(t, dir, map[string]string{
				"Cargo.toml":     "[workspace]\nmembers = [\"api\", \"worker\"]\nresolver = \"2\"\n",
				"api/Cargo.toml": crateToml("api"), "api/src/main.rs": "fn main() {}\n",
				"worker/Cargo.toml": crateToml("worker"), "worker/src/main.rs": "fn main() {}\n",
			})
		}, glibcScratch, []string{"-p/--package", "members: api, worker"}},
		{"unknown platform", helloCrate, append(glibcScratch, "--platform", "linux/s390x"), []string{"unsupported platform", "linux/amd64, linux/arm64, linux/arm/v7"}},
		{"malformed platform", helloCrate, append(glibcScratch, "--platform", "amd64"), []string{"invalid platform", "OS/ARCH"}},
		{"invalid --image", helloCrate, append(glibcScratch, "--image", "Not A/Valid Name"), []string{`image "Not A/Valid Name" (--image)`}},
		{"invalid --tag", helloCrate, append(glibcScratch, "--tag", "-bad"), []string{`tags "-bad" (--tag)`, "not starting with . or -"}},
		{"invalid --libc", helloCrate, []string{"build", "--no-push", "--libc", "uclibc", "--base", "scratch"}, []string{"musl", "glibc"}},
		{"musl target missing", helloCrate, []string{"build", "--no-push", "--base", "scratch"}, []string{"rustup target add x86_64-unknown-linux-musl", "--libc glibc"}},
		{"push without a registry", helloCrate, []string{"build", "--libc", "glibc", "--base", "scratch"}, []string{"no registry to push to", "KRUST_REPO", "--no-push"}},
		{"unreachable base registry", helloCrate, []string{"build", "--no-push", "--libc", "glibc", "--base", "127.0.0.1:9/none/base:v1"}, []string{"127.0.0.1:9", "cannot reach"}},
		{"invalid base reference", helloCrate, []string{"build", "--no-push", "--libc", "glibc", "--base", "Not//Valid"}, []string{`base-image "Not//Valid" (--base)`, "want scratch, oci:PATH"}},
		{"missing base layout", helloCrate, append(glibcScratch[:4:4], "--base", "oci:/nonexistent/krust-base:v1"), []string{"/nonexistent/krust-base"}},
		{"two directories", helloCrate, append(glibcScratch, ".", "other"), []string{"one project directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.fixture(t, dir)
			res := krust(t, dir, nil, tt.args...)
			assertCleanFailure(t, res, tt.want...)
			assertNoLayout(t, filepath.Join(dir, "target", "krust"))
		})
	}
}

func TestUnwritableLayoutFailsCleanly(t *testing.T) {
	requireTool(t, "cargo")
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  string
	}{
		{"a file in the way", func(t *testing.T, path string) { writeFile(t, path, "not a directory") }, "cannot write the OCI layout"},
		{"a file above it", func(t *testing.T, path string) { writeFile(t, filepath.Dir(path), "not a directory") }, "cannot write the OCI layout"},
		{"a directory that is not a layout", func(t *testing.T, path string) { writeFile(t, filepath.Join(path, "notes.txt"), "mine") }, "not an OCI image layout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project := t.TempDir()
			helloCrate(t, project)
			target := filepath.Join(t.TempDir(), "parent", "layout")
			tt.setup(t, target)
			before := snapshot(t, filepath.Dir(filepath.Dir(target)))
			res := krust(t, project, nil, append(glibcScratch, "--oci-layout", target)...)
			assertCleanFailure(t, res, tt.want, "--oci-layout")
			if after := snapshot(t, filepath.Dir(filepath.Dir(target))); after != before {
				t.Errorf("files changed by a failed build:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func assertCleanFailure(t *testing.T, res result, want ...string) {
	t.Helper()
	if res.code == 0 {
		t.Fatalf("exit status 0, want a failure; stderr:\n%s", res.stderr)
	}
	if res.stdout != "" {
		t.Errorf("stdout must stay empty on failure, got %q", res.stdout)
	}
	for _, w := range want {
		if !strings.Contains(res.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, res.stderr)
		}
	}
}

func assertNoLayout(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a failed build left %s behind (stat: %v)", dir, err)
	}
}

// snapshot lists every path under root with its size, for before/after
// comparisons.
func snapshot(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		b.WriteString(path + " " + info.Mode().String() + ";")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
