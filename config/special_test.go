//go:build unix

package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/regular"
	"github.com/docker-krust/docker-krust/internal/regular/regulartest"
)

// TestSpecialTomlIsRefusedAtOnce puts a named pipe, a socket or a
// directory where the krust config or a Cargo.toml is read: each is
// refused at once, naming the path and what it is (a named pipe used to
// block the open for good).
func TestSpecialTomlIsRefusedAtOnce(t *testing.T) {
	small := cargoHead + "[package.metadata.krust]\nports = [8080]\n"
	cargoSettings := func(member, root string) error {
		_, _, err := CargoSettings(member, root, &bytes.Buffer{})
		return err
	}
	tests := []struct {
		name string
		// special is the path that is not a regular file, of cfg, member
		// and root.
		special func(cfg, member, root string) string
		read    func(cfg, member, root string) error
	}{
		{"krust config", func(cfg, _, _ string) string { return cfg },
			func(cfg, _, _ string) error { _, err := Load(cfg, &bytes.Buffer{}); return err }},
		{"package Cargo.toml", func(_, member, _ string) string { return member },
			func(_, member, root string) error { return cargoSettings(member, root) }},
		{"workspace Cargo.toml", func(_, _, root string) string { return root },
			func(_, member, root string) error { return cargoSettings(member, root) }},
	}
	for _, tc := range tests {
		for _, kind := range regulartest.Kinds {
			t.Run(tc.name+" "+kind, func(t *testing.T) {
				dir := t.TempDir()
				cfg := filepath.Join(dir, "krust", "config.toml")
				member, root := filepath.Join(dir, "api", "Cargo.toml"), filepath.Join(dir, "Cargo.toml")
				writeTestFile(t, member, small)
				writeTestFile(t, root, "[workspace]\nmembers = [\"api\"]\n")
				path := tc.special(cfg, member, root)
				regulartest.Make(t, path, kind)
				err := regulartest.Quick(t, 10*time.Second, func() error { return tc.read(cfg, member, root) })
				if !errors.Is(err, regular.ErrNotRegular) {
					t.Fatalf("got %v, want an error wrapping regular.ErrNotRegular", err)
				}
				for _, want := range []string{path, regulartest.Describe[kind]} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
			})
		}
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
