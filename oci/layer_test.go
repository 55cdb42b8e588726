package oci

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"
	"time"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

var layerTime = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

type testFile struct {
	path    string
	mode    int64
	content string
}

func toFiles(in []testFile) []File {
	out := make([]File, len(in))
	for i, f := range in {
		out[i] = File{Path: f.path, Mode: f.mode, Size: int64(len(f.content)), Content: strings.NewReader(f.content)}
	}
	return out
}

func writeLayer(t *testing.T, files []testFile, modTime time.Time) (Layer, []byte) {
	t.Helper()
	var buf bytes.Buffer
	l, err := WriteLayer(&buf, toFiles(files), modTime)
	if err != nil {
		t.Fatalf("WriteLayer: %v", err)
	}
	return l, buf.Bytes()
}

func sha256Digest(b []byte) digest.Digest {
	sum := sha256.Sum256(b)
	return digest.Digest("sha256:" + hex.EncodeToString(sum[:]))
}

type tarEntry struct {
	name    string
	typ     byte
	mode    int64
	content string
}

// readLayer gunzips and untars blob, checking the headers every entry
// must have, and returns the uncompressed stream and the entries.
func readLayer(t *testing.T, blob []byte, modTime time.Time) ([]byte, []tarEntry) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		t.Fatalf("gzip.NewReader: %v", err)
	}
	if zr.Name != "" || zr.Comment != "" || len(zr.Extra) != 0 {
		t.Errorf("gzip header has Name %q, Comment %q, Extra %q; want them empty", zr.Name, zr.Comment, zr.Extra)
	}
	if !zr.ModTime.IsZero() {
		t.Errorf("gzip header ModTime = %v, want zero", zr.ModTime)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	tr := tar.NewReader(bytes.NewReader(raw))
	var entries []tarEntry
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("tar: %v", err)
		}
		if hdr.Uid != 0 || hdr.Gid != 0 || hdr.Uname != "" || hdr.Gname != "" {
			t.Errorf("%s: owner %d:%d (%q:%q), want 0:0 without names", hdr.Name, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname)
		}
		if !hdr.ModTime.Equal(modTime) {
			t.Errorf("%s: ModTime %v, want %v", hdr.Name, hdr.ModTime, modTime)
		}
		if !hdr.AccessTime.IsZero() || !hdr.ChangeTime.IsZero() {
			t.Errorf("%s: AccessTime %v, ChangeTime %v, want zero", hdr.Name, hdr.AccessTime, hdr.ChangeTime)
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("%s: %v", hdr.Name, err)
		}
		entries = append(entries, tarEntry{hdr.Name, hdr.Typeflag, hdr.Mode, string(content)})
	}
	return raw, entries
}

func TestWriteLayerContents(t *testing.T) {
	tests := []struct {
		name  string
		files []testFile
		want  []tarEntry
	}{
		{
			name:  "one executable",
			files: []testFile{{"app/hello", 0o755, "#!hello\x00\x01binary"}},
			want: []tarEntry{
				{"app/", tar.TypeDir, 0o755, ""},
				{"app/hello", tar.TypeReg, 0o755, "#!hello\x00\x01binary"},
			},
		},
		{
			name:  "zero mode means 0644",
			files: []testFile{{"etc/app.conf", 0, "x=1\n"}},
			want: []tarEntry{
				{"etc/", tar.TypeDir, 0o755, ""},
				{"etc/app.conf", tar.TypeReg, 0o644, "x=1\n"},
			},
		},
		{
			name:  "top-level file has no directory",
			files: []testFile{{"hello", 0o700, "hi"}},
			want:  []tarEntry{{"hello", tar.TypeReg, 0o700, "hi"}},
		},
		{
			name:  "leading slash is dropped",
			files: []testFile{{"/app/hello", 0o755, "hi"}},
			want: []tarEntry{
				{"app/", tar.TypeDir, 0o755, ""},
				{"app/hello", tar.TypeReg, 0o755, "hi"},
			},
		},
		{
			name:  "empty file",
			files: []testFile{{"app/empty", 0o600, ""}},
			want: []tarEntry{
				{"app/", tar.TypeDir, 0o755, ""},
				{"app/empty", tar.TypeReg, 0o600, ""},
			},
		},
		{
			name: "unsorted input comes out sorted with parents once",
			files: []testFile{
				{"usr/local/bin/tool", 0o755, "tool"},
				{"app/hello", 0o755, "hello"},
				{"usr/local/share/doc", 0o644, "doc"},
				{"app/config/default.toml", 0o644, "cfg"},
				{"usr/bin/x", 0o755, "x"},
			},
			want: []tarEntry{
				{"app/", tar.TypeDir, 0o755, ""},
				{"app/config/", tar.TypeDir, 0o755, ""},
				{"app/config/default.toml", tar.TypeReg, 0o644, "cfg"},
				{"app/hello", tar.TypeReg, 0o755, "hello"},
				{"usr/", tar.TypeDir, 0o755, ""},
				{"usr/bin/", tar.TypeDir, 0o755, ""},
				{"usr/bin/x", tar.TypeReg, 0o755, "x"},
				{"usr/local/", tar.TypeDir, 0o755, ""},
				{"usr/local/bin/", tar.TypeDir, 0o755, ""},
				{"usr/local/bin/tool", tar.TypeReg, 0o755, "tool"},
				{"usr/local/share/", tar.TypeDir, 0o755, ""},
				{"usr/local/share/doc", tar.TypeReg, 0o644, "doc"},
			},
		},
		{
			name:  "no files gives an empty tar",
			files: nil,
			want:  nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, blob := writeLayer(t, tc.files, layerTime)
			if l.Descriptor.MediaType != ocispec.MediaTypeImageLayerGzip {
				t.Errorf("MediaType = %q, want %q", l.Descriptor.MediaType, ocispec.MediaTypeImageLayerGzip)
			}
			if want := sha256Digest(blob); l.Descriptor.Digest != want {
				t.Errorf("Digest = %s, want sha256 of the bytes written %s", l.Descriptor.Digest, want)
			}
			if l.Descriptor.Size != int64(len(blob)) {
				t.Errorf("Size = %d, want %d bytes written", l.Descriptor.Size, len(blob))
			}
			raw, entries := readLayer(t, blob, layerTime)
			if want := sha256Digest(raw); l.DiffID != want {
				t.Errorf("DiffID = %s, want sha256 of the tar stream %s", l.DiffID, want)
			}
			if len(entries) != len(tc.want) {
				t.Fatalf("entries = %+v, want %+v", entries, tc.want)
			}
			for i := range entries {
				if entries[i] != tc.want[i] {
					t.Errorf("entry %d = %+v, want %+v", i, entries[i], tc.want[i])
				}
			}
		})
	}
}

// The documented contract is "entries are sorted by path"; cleaned paths
// must be what is sorted.
func TestWriteLayerSortsCleanedPaths(t *testing.T) {
	tests := []struct {
		name  string
		files []testFile
		want  []string
	}{
		{
			name:  "all relative",
			files: []testFile{{"b", 0, "b"}, {"a", 0, "a"}},
			want:  []string{"a", "b"},
		},
		{
			name:  "mixed leading slash",
			files: []testFile{{"a", 0, "a"}, {"/b", 0, "b"}},
			want:  []string{"a", "b"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, blob := writeLayer(t, tc.files, layerTime)
			_, entries := readLayer(t, blob, layerTime)
			var got []string
			for _, e := range entries {
				got = append(got, e.name)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("entries %q, want them sorted by cleaned path: %q", got, tc.want)
			}
		})
	}
}

func TestWriteLayerReproducible(t *testing.T) {
	files := []testFile{
		{"app/hello", 0o755, strings.Repeat("hello world ", 1000)},
		{"app/data/blob", 0o644, "data"},
	}
	reversed := []testFile{files[1], files[0]}
	otherTime := layerTime.Add(time.Second)
	inZone := layerTime.In(time.FixedZone("UTC+5", 5*3600))
	tests := []struct {
		name     string
		a, b     []testFile
		ta, tb   time.Time
		wantSame bool
	}{
		{"same files and time", files, files, layerTime, layerTime, true},
		{"input order does not matter", files, reversed, layerTime, layerTime, true},
		{"time zone does not matter", files, files, layerTime, inZone, true},
		{"different time", files, files, layerTime, otherTime, false},
		{"different content", files, []testFile{{"app/hello", 0o755, "other"}, files[1]}, layerTime, layerTime, false},
		{"different mode", files, []testFile{{"app/hello", 0o700, files[0].content}, files[1]}, layerTime, layerTime, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			la, blobA := writeLayer(t, tc.a, tc.ta)
			lb, blobB := writeLayer(t, tc.b, tc.tb)
			same := bytes.Equal(blobA, blobB)
			if same != tc.wantSame {
				t.Fatalf("identical bytes = %v, want %v", same, tc.wantSame)
			}
			if (la.Descriptor.Digest == lb.Descriptor.Digest) != tc.wantSame {
				t.Errorf("digests %s and %s: equal = %v, want %v", la.Descriptor.Digest, lb.Descriptor.Digest, !tc.wantSame, tc.wantSame)
			}
			if (la.DiffID == lb.DiffID) != tc.wantSame {
				t.Errorf("diff IDs %s and %s: equal = %v, want %v", la.DiffID, lb.DiffID, !tc.wantSame, tc.wantSame)
			}
			if tc.wantSame && (la.Descriptor.Size != lb.Descriptor.Size || la.Descriptor.MediaType != lb.Descriptor.MediaType) {
				t.Errorf("layers differ: %+v vs %+v", la, lb)
			}
		})
	}
}

func TestWriteLayerErrors(t *testing.T) {
	tests := []struct {
		name    string
		file    File
		wantErr string
	}{
		{"size too large", File{Path: "app/hello", Size: 10, Content: strings.NewReader("short")}, "app/hello"},
		{"size too small", File{Path: "app/hello", Size: 2, Content: strings.NewReader("longer")}, "app/hello"},
		{"empty path", File{Path: "", Content: strings.NewReader("")}, "invalid path"},
		{"slash only", File{Path: "/", Content: strings.NewReader("")}, "invalid path"},
		{"dot", File{Path: ".", Content: strings.NewReader("")}, "invalid path"},
		{"parent escape", File{Path: "../etc/passwd", Size: 1, Content: strings.NewReader("x")}, "invalid path"},
		{"absolute parent escape", File{Path: "/../etc/passwd", Size: 1, Content: strings.NewReader("x")}, "invalid path"},
		{"inner dot dot", File{Path: "app/../etc/passwd", Size: 1, Content: strings.NewReader("x")}, "invalid path"},
		{"trailing dot dot", File{Path: "app/..", Size: 1, Content: strings.NewReader("x")}, "invalid path"},
		{"dot prefix", File{Path: "./app/hello", Size: 1, Content: strings.NewReader("x")}, "invalid path"},
		{"double slash", File{Path: "app//hello", Size: 1, Content: strings.NewReader("x")}, "invalid path"},
		{"trailing slash", File{Path: "app/", Size: 1, Content: strings.NewReader("x")}, "invalid path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := WriteLayer(&buf, []File{tc.file}, layerTime)
			if err == nil {
				t.Fatalf("WriteLayer(%+v) succeeded, want an error", tc.file)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not contain %q", err, tc.wantErr)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestWriteLayerWriterError(t *testing.T) {
	tests := []struct {
		name  string
		files []testFile
	}{
		{"no files", nil},
		{"one file", []testFile{{"app/hello", 0o755, "hello"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := WriteLayer(failingWriter{}, toFiles(tc.files), layerTime); err == nil {
				t.Fatal("WriteLayer to a failing writer succeeded, want an error")
			}
		})
	}
}
