package layout

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCheckWritable(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, root string) string // returns the dir to check
		wantErr bool
	}{
		{"missing dir", func(t *testing.T, root string) string {
			return filepath.Join(root, "a", "b", "c")
		}, false},
		{"empty dir", func(t *testing.T, root string) string {
			return root
		}, false},
		{"existing layout", func(t *testing.T, root string) string {
			l, err := Create(context.Background(), filepath.Join(root, "l"))
			if err != nil {
				t.Fatal(err)
			}
			return l.Dir()
		}, false},
		{"dir is a file", func(t *testing.T, root string) string {
			writeFile(t, filepath.Join(root, "f"), "x")
			return filepath.Join(root, "f")
		}, true},
		{"ancestor is a file", func(t *testing.T, root string) string {
			writeFile(t, filepath.Join(root, "f"), "x")
			return filepath.Join(root, "f", "sub", "out")
		}, true},
		{"non-layout non-empty dir", func(t *testing.T, root string) string {
			writeFile(t, filepath.Join(root, "d", "notes.txt"), "x")
			return filepath.Join(root, "d")
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := tt.setup(t, root)
			before := listDir(t, root)
			err := CheckWritable(dir)
			if (err != nil) != tt.wantErr {
				t.Fatalf("CheckWritable(%s) = %v, wantErr %v", dir, err, tt.wantErr)
			}
			if after := listDir(t, root); !slices.Equal(before, after) {
				t.Fatalf("CheckWritable created files: %v -> %v", before, after)
			}
		})
	}
}

func TestCheckWritableNotLayout(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "x"), "x")
	if err := CheckWritable(dir); !errors.Is(err, ErrNotLayout) {
		t.Fatalf("CheckWritable = %v, want ErrNotLayout", err)
	}
}

func TestCheckWritableReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root bypasses permission bits")
	}
	root := t.TempDir()
	if err := os.Chmod(root, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(root, 0o755) })
	for _, dir := range []string{root, filepath.Join(root, "missing")} {
		if err := CheckWritable(dir); err == nil {
			t.Errorf("CheckWritable(%s) on read-only dir succeeded", dir)
		}
	}
}
