package layout

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLayoutDirThatIsNotADirectoryIsRefused puts a named pipe, a socket, a
// device or a regular file where a layout directory is named (--base
// oci:DIR, krust push DIR, gc, a build's own layout): opening, creating
// and locking it each fail at once, naming it and what it is. A named
// pipe used to block the open of the directory for good.
func TestLayoutDirThatIsNotADirectoryIsRefused(t *testing.T) {
	kinds := append(specialKinds[:0:0], specialKinds...)
	kinds = append(kinds, struct {
		name string
		make func(t *testing.T, path string)
	}{"regular file", func(t *testing.T, path string) {
		if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}})
	ops := []struct {
		name string
		// typed says the error wraps ErrNotRegular (Create's MkdirAll
		// refuses on its own).
		typed bool
		op    func(dir string) error
	}{
		{"Open", true, func(dir string) error { _, err := Open(dir); return err }},
		{"Create", false, func(dir string) error { _, err := Create(context.Background(), dir); return err }},
		{"lock", true, func(dir string) error {
			unlock, err := lockDir(context.Background(), dir)
			if err == nil {
				unlock()
			}
			return err
		}},
	}
	for _, kind := range kinds {
		if kind.name == "directory" {
			continue
		}
		for _, op := range ops {
			t.Run(kind.name+"/"+op.name, func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "layout")
				kind.make(t, dir)
				err := promptlyOr(t, op.name, func() error { return op.op(dir) })
				if err == nil {
					t.Fatalf("%s of %s (a %s) succeeded", op.name, dir, kind.name)
				}
				if !strings.Contains(err.Error(), dir) {
					t.Errorf("error %q does not name %s", err, dir)
				}
				if op.typed && !errors.Is(err, ErrNotRegular) {
					t.Errorf("error %q does not wrap ErrNotRegular", err)
				}
			})
		}
	}
}
