//go:build unix

package cargo

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/regular"
	"github.com/docker-krust/docker-krust/internal/regular/regulartest"
)

// quickly bounds each read of a file that is not regular: a named pipe
// used to block it for good.
const quickly = 30 * time.Second

// checkRefused checks that err refuses path, which is of kind.
func checkRefused(t *testing.T, err error, path, kind string) {
	t.Helper()
	if !errors.Is(err, regular.ErrNotRegular) {
		t.Fatalf("got %v, want an error wrapping regular.ErrNotRegular", err)
	}
	for _, want := range []string{path, regulartest.Describe[kind]} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestMetadataRefusesSpecialCargoFiles puts a named pipe, a socket or a
// directory where cargo (and krust after it) reads the project's
// manifests, configuration or Cargo.lock: Metadata refuses it at once,
// naming it, where cargo would wait for ever on a named pipe.
func TestMetadataRefusesSpecialCargoFiles(t *testing.T) {
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Fatal("cargo is not installed: .ci/run installs it")
	}
	tests := []struct{ name, path string }{
		{"the project's Cargo.toml", "ws/app/Cargo.toml"},
		{"a parent's Cargo.toml", "ws/Cargo.toml"},
		{"the project's .cargo/config.toml", "ws/app/.cargo/config.toml"},
		{"a parent's .cargo/config", "ws/.cargo/config"},
		{"CARGO_HOME's config.toml", "home/config.toml"},
		{"Cargo.lock", "ws/app/Cargo.lock"},
	}
	for _, tc := range tests {
		for _, kind := range regulartest.Kinds {
			t.Run(tc.name+" "+kind, func(t *testing.T) {
				tmp := t.TempDir()
				app := filepath.Join(tmp, "ws", "app")
				writeTestFile(t, filepath.Join(app, "Cargo.toml"), "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
				writeTestFile(t, filepath.Join(app, "src", "main.rs"), "fn main() {}\n")
				path := filepath.Join(tmp, tc.path)
				regulartest.Make(t, path, kind)
				c := Cargo{Env: append(os.Environ(), "CARGO_HOME="+filepath.Join(tmp, "home"))}
				err := regulartest.Quick(t, quickly, func() error {
					_, err := c.Metadata(context.Background(), app)
					return err
				})
				checkRefused(t, err, path, kind)
			})
		}
	}
}

// TestKrustReadsOfCargoFilesRefuseSpecialFiles covers krust's own reads:
// Cargo.lock (for the SBOM and provenance), the cargo config files and a
// --config FILE argument (for rustflags and linkers).
func TestKrustReadsOfCargoFilesRefuseSpecialFiles(t *testing.T) {
	tests := []struct {
		name, path string
		read       func(dir string) error
	}{
		{"Cargo.lock", LockfileName, func(dir string) error { _, err := ReadLockfile(dir); return err }},
		{".cargo/config.toml", ".cargo/config.toml", func(dir string) error {
			_, err := readCargoConfig([]string{"CARGO_HOME=" + filepath.Join(dir, "home")}, dir, nil)
			return err
		}},
		{"--config FILE", "extra.toml", func(dir string) error {
			_, err := readCargoConfig([]string{"CARGO_HOME=" + filepath.Join(dir, "home")}, dir, []string{"--config", "extra.toml"})
			return err
		}},
	}
	for _, tc := range tests {
		for _, kind := range regulartest.Kinds {
			t.Run(tc.name+" "+kind, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, tc.path)
				regulartest.Make(t, path, kind)
				err := regulartest.Quick(t, quickly, func() error { return tc.read(dir) })
				checkRefused(t, err, path, kind)
			})
		}
	}
}
