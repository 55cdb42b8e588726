package cargo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// asksSysroot reports whether m holds a sysroot question.
func asksSysroot(m *Memo) bool {
	return memoCalls(m, func(k string) bool { return strings.HasSuffix(k, "\x00--print\x00sysroot") }) > 0
}

// A project's first build asks rustc for its sysroot while cargo
// metadata runs, so that the target check does not wait for it; once
// the project has a target directory (a no-op rebuild skips the check)
// it asks nothing early, and neither does another builder nor a Cargo
// without a Memo to keep the answer in.
func TestMetadataAsksTheSysrootEarlyOnlyOnAFirstRun(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, ws string) (dir string, c Cargo)
		early bool
	}{
		{"never built", func(t *testing.T, ws string) (string, Cargo) {
			return ws, Cargo{Env: os.Environ(), Memo: &Memo{}}
		}, true},
		{"member of a workspace never built", func(t *testing.T, ws string) (string, Cargo) {
			return filepath.Join(ws, "app"), Cargo{Env: os.Environ(), Memo: &Memo{}}
		}, true},
		{"built before", func(t *testing.T, ws string) (string, Cargo) {
			mkdir(t, filepath.Join(ws, "target"))
			return ws, Cargo{Env: os.Environ(), Memo: &Memo{}}
		}, false},
		{"member of a workspace built before", func(t *testing.T, ws string) (string, Cargo) {
			mkdir(t, filepath.Join(ws, "target"))
			return filepath.Join(ws, "app"), Cargo{Env: os.Environ(), Memo: &Memo{}}
		}, false},
		{"CARGO_TARGET_DIR built before, relative", func(t *testing.T, ws string) (string, Cargo) {
			mkdir(t, filepath.Join(ws, "out"))
			return ws, Cargo{Env: append(os.Environ(), "CARGO_TARGET_DIR=out"), Memo: &Memo{}}
		}, false},
		{"CARGO_TARGET_DIR never built, though target is", func(t *testing.T, ws string) (string, Cargo) {
			mkdir(t, filepath.Join(ws, "target"))
			return ws, Cargo{Env: append(os.Environ(), "CARGO_TARGET_DIR="+filepath.Join(t.TempDir(), "none")), Memo: &Memo{}}
		}, true},
		{"another builder", func(t *testing.T, ws string) (string, Cargo) {
			return ws, Cargo{Env: os.Environ(), Memo: &Memo{}, Command: "cross"}
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ws := t.TempDir()
			writeTestFile(t, filepath.Join(ws, "Cargo.toml"), "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n")
			writeTestFile(t, filepath.Join(ws, "app", "Cargo.toml"), "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
			writeTestFile(t, filepath.Join(ws, "app", "src", "main.rs"), "fn main() {}\n")
			dir, c := tc.setup(t, ws)
			if _, err := c.Metadata(context.Background(), dir); err != nil {
				t.Fatal(err)
			}
			if got := asksSysroot(c.Memo); got != tc.early {
				t.Errorf("asked rustc for its sysroot during cargo metadata: %v, want %v", got, tc.early)
			}
			if tc.early && c.CheckTarget(context.Background(), dir, "x86_64-unknown-linux-gnu") != nil {
				t.Error("the target check on the early answer failed; this toolchain has x86_64-unknown-linux-gnu")
			}
		})
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}
