package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWriteFile(t *testing.T) {
	tests := []struct {
		name string
		// setup prepares dir and returns the path to write.
		setup   func(t *testing.T, dir string) string
		perm    fs.FileMode
		wantErr error // nil: the write succeeds
		// want is what path holds afterwards ("" when it does not exist).
		want string
	}{
		{"a new file", func(t *testing.T, dir string) string { return filepath.Join(dir, "refs") }, 0o644, nil, "new"},
		{"a file replaced", func(t *testing.T, dir string) string {
			return write(t, filepath.Join(dir, "index.json"), "old", 0o600)
		}, 0o644, nil, "new"},
		{"the mode asked for, not the umask's", func(t *testing.T, dir string) string { return filepath.Join(dir, "f") }, 0o640, nil, "new"},
		{"a link replaced, not followed", func(t *testing.T, dir string) string {
			target := write(t, filepath.Join(dir, "elsewhere"), "kept", 0o644)
			link := filepath.Join(dir, "link")
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if got, _ := os.ReadFile(target); string(got) != "kept" {
					t.Errorf("the link's target now holds %q", got)
				}
			})
			return link
		}, 0o644, nil, "new"},
		{"a missing directory", func(t *testing.T, dir string) string {
			return filepath.Join(dir, "missing", "f")
		}, 0o644, fs.ErrNotExist, ""},
		{"a directory in the way", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "d")
			write(t, filepath.Join(p, "inside"), "x", 0o644)
			return p
		}, 0o644, fs.ErrExist, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			before := names(t, dir)
			err := WriteFile(path, []byte("new"), tt.perm)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("WriteFile = %v, want %v", err, tt.wantErr)
				}
				if after := names(t, dir); !slices.Equal(after, before) {
					t.Errorf("a failed write changed the directory from %q to %q", before, after)
				}
				return
			}
			if err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			info, err := os.Lstat(path)
			if err != nil || !info.Mode().IsRegular() || info.Mode().Perm() != tt.perm {
				t.Fatalf("%s: %v, %v; want a regular file with mode %v", path, info.Mode(), err, tt.perm)
			}
			if got, _ := os.ReadFile(path); string(got) != tt.want {
				t.Errorf("%s holds %q, want %q", path, got, tt.want)
			}
			for _, n := range names(t, dir) {
				if strings.HasPrefix(filepath.Base(n), TempPrefix) {
					t.Errorf("temp file %s left behind", n)
				}
			}
		})
	}
}

func write(t *testing.T, path, content string, perm fs.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	return path
}

// names lists every entry under dir, relative to it.
func names(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A writer that fails part way leaves the old file and no temp file: a
// half-written --tarball is never seen.
func TestWriteWithFailureLeavesTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := write(t, filepath.Join(dir, "img.tar"), "old", 0o644)
	boom := errors.New("boom")
	err := WriteWith(path, 0o644, func(w io.Writer) error {
		if _, err := w.Write([]byte("half")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WriteWith = %v, want the writer's error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("%s holds %q after a failed write, want the old content", path, got)
	}
	if got := names(t, dir); !slices.Equal(got, []string{".", "img.tar"}) {
		t.Errorf("a failed write left %v", got)
	}
}
