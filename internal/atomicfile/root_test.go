package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFileIn replaces what is at the name, a link included (never
// following it), and writes nothing outside the root.
func TestWriteFileInReplacesWithoutFollowing(t *testing.T) {
	outside := t.TempDir()
	target := filepath.Join(outside, "target")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"new file", func(*testing.T, string) {}},
		{"old file", func(t *testing.T, p string) { must(t, os.WriteFile(p, []byte("old"), 0o600)) }},
		{"link out of the root", func(t *testing.T, p string) { must(t, os.Symlink(target, p)) }},
		{"dangling link out of the root", func(t *testing.T, p string) { must(t, os.Symlink(filepath.Join(outside, "new"), p)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			tt.setup(t, path)
			root, err := os.OpenRoot(dir)
			must(t, err)
			defer root.Close()
			must(t, WriteFileIn(root, "f", []byte("new"), 0o644))
			info, err := os.Lstat(path)
			must(t, err)
			data, err := os.ReadFile(path)
			must(t, err)
			if !info.Mode().IsRegular() || info.Mode().Perm() != 0o644 || string(data) != "new" {
				t.Errorf("%s is %v holding %q, want a regular 0644 file holding \"new\"", path, info.Mode(), data)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("%s holds %v, want f alone", dir, entries)
			}
			if kept, _ := os.ReadFile(target); string(kept) != "keep" {
				t.Errorf("the file behind the link now holds %q", kept)
			}
			if outs, _ := os.ReadDir(outside); len(outs) != 1 {
				t.Errorf("something was written outside the root: %v", outs)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
