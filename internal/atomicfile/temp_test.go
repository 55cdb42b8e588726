package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// CreateTempIn names its files so their owner can find them (TempPrefix,
// then base), never follows a link out of the root, and what Finish and
// RenameIn make of a temp file is the final file, with its permissions.
func TestTempFileInRoot(t *testing.T) {
	tests := []struct {
		name, dir, base, prefix string
		linkOut                 bool // dir is a link out of the root
	}{
		{"blob", "blobs", "", "blobs/" + TempPrefix, false},
		{"named", ".", "index.json", TempPrefix + "index.json-", false},
		{"link out of the root", "out", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, outside := t.TempDir(), t.TempDir()
			must(t, os.MkdirAll(filepath.Join(dir, "blobs"), 0o755))
			must(t, os.Symlink(outside, filepath.Join(dir, "out")))
			root, err := os.OpenRoot(dir)
			must(t, err)
			defer root.Close()
			f, name, err := CreateTempIn(root, tt.dir, tt.base)
			if tt.linkOut {
				if err == nil {
					t.Fatalf("CreateTempIn through a link out of the root made %s", name)
				}
				if outs, _ := os.ReadDir(outside); len(outs) != 0 {
					t.Errorf("something was written outside the root: %v", outs)
				}
				return
			}
			must(t, err)
			if !strings.HasPrefix(filepath.ToSlash(name), tt.prefix) || len(name) == len(tt.prefix) {
				t.Errorf("temp file %s, want %s and a random word", name, tt.prefix)
			}
			must(t, Finish(f, 0o644))
			final := filepath.Join(tt.dir, "final")
			must(t, RenameIn(root, name, final))
			info, err := os.Lstat(filepath.Join(dir, final))
			must(t, err)
			if !info.Mode().IsRegular() || info.Mode().Perm() != 0o644 {
				t.Errorf("%s is %v, want a regular 0644 file", final, info.Mode())
			}
		})
	}
}

func TestWritable(t *testing.T) {
	dir := t.TempDir()
	readOnly := filepath.Join(dir, "ro")
	must(t, os.Mkdir(readOnly, 0o555))
	tests := []struct {
		name string
		dir  string
		want error
	}{
		{"writable", dir, nil},
		{"missing", filepath.Join(dir, "missing"), fs.ErrNotExist},
		{"read-only", readOnly, fs.ErrPermission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tt.want != nil {
				t.Skip("no access(2): Writable checks nothing")
			}
			if tt.want == fs.ErrPermission && os.Geteuid() == 0 {
				t.Skip("root may write in a read-only directory")
			}
			if err := Writable(tt.dir); !errors.Is(err, tt.want) {
				t.Errorf("Writable(%s) = %v, want %v", tt.dir, err, tt.want)
			}
		})
	}
}
