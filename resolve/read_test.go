package resolve

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

// tree writes files (path: content) under a new directory and returns it.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func names(t *testing.T, dir string, srcs []Source) []string {
	t.Helper()
	var out []string
	for _, s := range srcs {
		name := s.Name
		if rel, err := filepath.Rel(dir, s.Name); err == nil && s.Name != "-" {
			name = filepath.ToSlash(rel)
		}
		out = append(out, name)
	}
	return out
}

func TestReadSources(t *testing.T) {
	dir := tree(t, map[string]string{
		"k8s/b.yaml": "b", "k8s/a.yml": "a", "k8s/c.json": "{}", "k8s/notes.txt": "no", "k8s/Makefile": "no",
		"k8s/sub/d.yaml": "d", "k8s/a0/e.yaml": "e", "k8s/sub/deeper/f.yml": "f",
		"single.txt": "any name", "empty/readme.md": "no",
	})
	if err := os.Symlink(filepath.Join(dir, "single.txt"), filepath.Join(dir, "k8s", "link.yaml")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		paths     []string
		recursive bool
		want      []string
	}{
		{"file", []string{"single.txt"}, false, []string{"single.txt"}},
		{"directory", []string{"k8s"}, false, []string{"k8s/a.yml", "k8s/b.yaml", "k8s/c.json", "k8s/link.yaml"}},
		{"recursive", []string{"k8s"}, true, []string{"k8s/a.yml", "k8s/a0/e.yaml", "k8s/b.yaml", "k8s/c.json", "k8s/link.yaml", "k8s/sub/d.yaml", "k8s/sub/deeper/f.yml"}},
		{"order given", []string{"single.txt", "-", "k8s/sub"}, false, []string{"single.txt", "-", "k8s/sub/d.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			for _, p := range tt.paths {
				if p != "-" {
					p = filepath.Join(dir, p)
				}
				paths = append(paths, p)
			}
			srcs, err := ReadSources(paths, strings.NewReader("from: stdin\n"), tt.recursive)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(t, dir, srcs); !slices.Equal(got, tt.want) {
				t.Errorf("read %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReadSourcesContent(t *testing.T) {
	dir := tree(t, map[string]string{"a.yaml": "a: krust://api\n"})
	srcs, err := ReadSources([]string{"-", dir}, strings.NewReader("b: 1\n"), false)
	if err != nil {
		t.Fatal(err)
	}
	want := []Source{{Name: "-", Data: []byte("b: 1\n")}, {Name: filepath.Join(dir, "a.yaml"), Data: []byte("a: krust://api\n")}}
	if len(srcs) != 2 || srcs[0].Name != want[0].Name || string(srcs[0].Data) != string(want[0].Data) ||
		srcs[1].Name != want[1].Name || string(srcs[1].Data) != string(want[1].Data) {
		t.Errorf("read %q, want %q", srcs, want)
	}
}

func TestReadSourcesRefuses(t *testing.T) {
	dir := tree(t, map[string]string{"empty/readme.md": "no", "nested/sub/a.yaml": "a"})
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxFileSize+1); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		paths []string
		stdin io.Reader
		is    error
		want  string
	}{
		{"missing", []string{filepath.Join(dir, "nope.yaml")}, nil, fs.ErrNotExist, "nope.yaml"},
		{"no manifest", []string{filepath.Join(dir, "empty")}, nil, ErrNoManifests, filepath.Join(dir, "empty")},
		{"only in a subdirectory", []string{filepath.Join(dir, "nested")}, nil, ErrNoManifests, filepath.Join(dir, "nested")},
		{"too large", []string{big}, nil, ErrTooLarge, big},
		{"stdin twice", []string{"-", "-"}, strings.NewReader(""), ErrStdinRepeated, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSources(tt.paths, tt.stdin, false)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %v naming %s", err, tt.is, tt.want)
			}
		})
	}
}

func TestReadStdinLimit(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{{"", true}, {"1234", true}, {"12345", false}} {
		src, err := readStdin(strings.NewReader(tt.in), 4)
		if tt.ok && (err != nil || string(src.Data) != tt.in || src.Name != "-") {
			t.Errorf("readStdin(%q) = %q, %v", tt.in, src.Data, err)
		}
		if !tt.ok && (!errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "standard input is more than the 4 bytes")) {
			t.Errorf("readStdin(%q) error = %v, want %v", tt.in, err, ErrTooLarge)
		}
	}
}
