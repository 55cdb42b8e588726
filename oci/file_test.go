package oci

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

// links reads the uncompressed tar stream raw and returns the link target
// of each symbolic link by entry name.
func links(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	tr := tar.NewReader(bytes.NewReader(raw))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("tar: %v", err)
		}
		if hdr.Typeflag == tar.TypeSymlink {
			out[hdr.Name] = hdr.Linkname
		} else if hdr.Linkname != "" {
			t.Errorf("%s: link target %q on an entry of type %c", hdr.Name, hdr.Linkname, hdr.Typeflag)
		}
	}
}

func TestWriteLayerDirectoriesAndLinks(t *testing.T) {
	tests := []struct {
		name      string
		files     []File
		want      []tarEntry
		wantLinks map[string]string
	}{
		{
			name:  "a directory keeps its own mode, one above it gets 0755",
			files: []File{{Path: "etc/app", Type: Directory, Mode: 0o750}},
			want:  []tarEntry{{"etc/", tar.TypeDir, 0o755, ""}, {"etc/app/", tar.TypeDir, 0o750, ""}},
		},
		{
			name:  "a directory of zero mode is 0755",
			files: []File{{Path: "/data", Type: Directory}},
			want:  []tarEntry{{"data/", tar.TypeDir, 0o755, ""}},
		},
		{
			name: "a directory listed after its files is written once, before them, with its mode",
			files: []File{
				{Path: "app/conf/x", Size: 1, Content: strings.NewReader("x")},
				{Path: "app/conf", Type: Directory, Mode: 0o700},
			},
			want: []tarEntry{{"app/", tar.TypeDir, 0o755, ""}, {"app/conf/", tar.TypeDir, 0o700, ""}, {"app/conf/x", tar.TypeReg, 0o644, "x"}},
		},
		{
			name:      "a symbolic link is 0777 and keeps its target as written",
			files:     []File{{Path: "usr/bin/hello", Type: Symlink, Link: "../../app/hello"}, {Path: "bin", Type: Symlink, Link: "/usr/bin"}},
			want:      []tarEntry{{"bin", tar.TypeSymlink, 0o777, ""}, {"usr/", tar.TypeDir, 0o755, ""}, {"usr/bin/", tar.TypeDir, 0o755, ""}, {"usr/bin/hello", tar.TypeSymlink, 0o777, ""}},
			wantLinks: map[string]string{"bin": "/usr/bin", "usr/bin/hello": "../../app/hello"},
		},
		{
			name: "all three kinds sorted by path",
			files: []File{
				{Path: "app/hello", Mode: 0o755, Size: 2, Content: strings.NewReader("hi")},
				{Path: "app/current", Type: Symlink, Link: "hello"},
				{Path: "app", Type: Directory, Mode: 0o555},
			},
			want:      []tarEntry{{"app/", tar.TypeDir, 0o555, ""}, {"app/current", tar.TypeSymlink, 0o777, ""}, {"app/hello", tar.TypeReg, 0o755, "hi"}},
			wantLinks: map[string]string{"app/current": "hello"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			l, err := WriteLayer(&buf, tc.files, layerTime)
			if err != nil {
				t.Fatal(err)
			}
			raw, entries := readLayer(t, buf.Bytes(), layerTime)
			if !slices.Equal(entries, tc.want) {
				t.Errorf("entries %+v, want %+v", entries, tc.want)
			}
			if got := links(t, raw); !maps.Equal(got, tc.wantLinks) {
				t.Errorf("links %v, want %v", got, tc.wantLinks)
			}
			rewind(t, tc.files)
			if id, err := DiffID(tc.files, layerTime); err != nil || id != l.DiffID {
				t.Errorf("DiffID gives %s, %v; the layer has %s", id, err, l.DiffID)
			}
		})
	}
}

// rewind makes the files' content readable again.
func rewind(t *testing.T, files []File) {
	t.Helper()
	for _, f := range files {
		if s, ok := f.Content.(io.Seeker); ok {
			if _, err := s.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// Directories and links are written from their description alone, so
// the same description gives the same bytes in any order, and each field
// shapes them.
func TestWriteLayerDirectoriesAndLinksReproducible(t *testing.T) {
	entries := func(dirMode int64, link string) []File {
		return []File{
			{Path: "etc/app", Type: Directory, Mode: dirMode},
			{Path: "usr/bin/hello", Type: Symlink, Link: link},
		}
	}
	write := func(files []File) []byte {
		var buf bytes.Buffer
		if _, err := WriteLayer(&buf, files, layerTime); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	base := write(entries(0o750, "/app/hello"))
	tests := []struct {
		name     string
		files    []File
		wantSame bool
	}{
		{"same entries", entries(0o750, "/app/hello"), true},
		{"reversed", reversed(entries(0o750, "/app/hello")), true},
		{"another directory mode", entries(0o755, "/app/hello"), false},
		{"another link target", entries(0o750, "/app/other"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if same := bytes.Equal(base, write(tc.files)); same != tc.wantSame {
				t.Errorf("same bytes = %v, want %v", same, tc.wantSame)
			}
		})
	}
}

func reversed(files []File) []File {
	slices.Reverse(files)
	return files
}

func TestWriteLayerInvalidEntries(t *testing.T) {
	file := func(p string) File { return File{Path: p, Size: 1, Content: strings.NewReader("x")} }
	tests := []struct {
		name  string
		files []File
	}{
		{"unclean path", []File{file("a/../b")}},
		{"path listed twice", []File{file("app/x"), file("/app/x")}},
		{"file and directory of one path", []File{file("app"), {Path: "app", Type: Directory}}},
		{"entry below a file", []File{file("app"), file("app/x")}},
		{"entry below a link", []File{{Path: "app", Type: Symlink, Link: "/opt"}, file("app/x")}},
		{"directory with content", []File{{Path: "d", Type: Directory, Size: 1, Content: strings.NewReader("x")}}},
		{"directory with a link target", []File{{Path: "d", Type: Directory, Link: "/x"}}},
		{"link without target", []File{{Path: "l", Type: Symlink}}},
		{"link target with NUL", []File{{Path: "l", Type: Symlink, Link: "a\x00b"}}},
		{"link with a mode", []File{{Path: "l", Type: Symlink, Link: "/x", Mode: 0o755}}},
		{"link with content", []File{{Path: "l", Type: Symlink, Link: "/x", Content: strings.NewReader("")}}},
		{"regular file with a link target", []File{{Path: "f", Link: "/x"}}},
		{"mode beyond permission bits", []File{{Path: "f", Mode: 0o10755}}},
		{"negative mode", []File{{Path: "f", Mode: -1}}},
		{"unknown type", []File{{Path: "f", Type: FileType(9)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if _, err := WriteLayer(&buf, tc.files, layerTime); !errors.Is(err, ErrInvalidEntry) {
				t.Errorf("WriteLayer: %v, want ErrInvalidEntry", err)
			}
			if _, err := DiffID(tc.files, layerTime); !errors.Is(err, ErrInvalidEntry) {
				t.Errorf("DiffID: %v, want ErrInvalidEntry", err)
			}
		})
	}
}
