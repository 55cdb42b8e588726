package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// Bad image settings are refused before cargo runs, whichever source gives
// them: nothing on stdout, no layout, and no cargo target directory.
func TestBadSettingsAreRefusedBeforeCargo(t *testing.T) {
	requireTool(t, "cargo")
	withKrust := func(table string) fixture {
		return func(t *testing.T, dir string) {
			writeCrate(t, dir, map[string]string{"Cargo.toml": crateToml("hello") + "\n[package.metadata.krust]\n" + table + "\n", "src/main.rs": "fn main() {}\n"})
		}
	}
	tests := []struct {
		name    string
		fixture fixture
		env     []string
		args    []string
		want    []string
	}{
		{"--port out of range", helloCrate, nil, append(glibcScratch, "--port", "70000"), []string{`ports "70000"`, "--port", "1-65535"}},
		{"--port protocol", helloCrate, nil, append(glibcScratch, "--port", "8080/xyz"), []string{`"8080/xyz"`, "/tcp, /udp or /sctp"}},
		{"port in Cargo.toml", withKrust(`ports = ["abc"]`), nil, glibcScratch, []string{`ports "abc"`, "Cargo.toml [package.metadata.krust]"}},
		{"relative workdir in Cargo.toml", withKrust(`workdir = "app"`), nil, glibcScratch, []string{`workdir "app"`, "Cargo.toml", "absolute path"}},
		{"env key with =", withKrust(`env = { "A=B" = "1" }`), nil, glibcScratch, []string{`env "A=B"`, `"="`}},
		{"--target after --", helloCrate, nil, append(glibcScratch, "--", "--target", "aarch64-unknown-linux-gnu"), []string{`"--target"`, "--platform"}},
		{"SOURCE_DATE_EPOCH past year 9999", helloCrate, []string{"SOURCE_DATE_EPOCH=253402300800"}, glibcScratch, []string{"SOURCE_DATE_EPOCH", "253402300799"}},
		{"SOURCE_DATE_EPOCH negative", helloCrate, []string{"SOURCE_DATE_EPOCH=-1"}, glibcScratch, []string{`SOURCE_DATE_EPOCH="-1"`}},
		{"--oci-layout with a colon", helloCrate, nil, append(glibcScratch, "--oci-layout", "out:put"), []string{"holds a ':'", "--oci-layout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.fixture(t, dir)
			res := krust(t, dir, tt.env, tt.args...)
			assertCleanFailure(t, res, tt.want...)
			assertNoLayout(t, filepath.Join(dir, "target"))
			assertNoLayout(t, filepath.Join(dir, "out:put"))
		})
	}
}

// Two workspace members whose names give one repository name are warned
// about, naming both, and the build goes on.
func TestSameRepositoryNameWarns(t *testing.T) {
	requireTool(t, "cargo")
	project := writeCrate(t, t.TempDir(), map[string]string{
		"Cargo.toml":    "[workspace]\nmembers = [\"a\", \"b\"]\nresolver = \"2\"\n",
		"a/Cargo.toml":  crateToml("my-app"),
		"a/src/main.rs": "fn main() {}\n",
		"b/Cargo.toml":  crateToml("My-App"),
		"b/src/main.rs": "fn main() {}\n",
	})
	res := krust(t, project, nil, append(glibcScratch, "-p", "my-app", "--repo", "127.0.0.1:9/team")...)
	ociRef(t, res, "latest")
	if !strings.Contains(res.stderr, "warning: packages my-app and My-App both give the repository name my-app") {
		t.Errorf("no warning naming both packages:\n%s", res.stderr)
	}
}
