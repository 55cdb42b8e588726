package layout

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

const (
	validMarker = `{"imageLayoutVersion":"1.0.0"}`
	validIndex  = `{"schemaVersion":2,"manifests":[]}`
)

func TestCreate(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		wantErr error
	}{
		{"missing dir", func(*testing.T, string) {}, nil},
		{"empty dir", func(t *testing.T, dir string) { os.MkdirAll(dir, 0o755) }, nil},
		{"existing layout", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "oci-layout"), validMarker)
			writeFile(t, filepath.Join(dir, "index.json"), validIndex)
			os.MkdirAll(filepath.Join(dir, "blobs", "sha256"), 0o755)
		}, nil},
		{"interrupted create", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "blobs", "sha256", ".tmp-123"), "x")
			writeFile(t, filepath.Join(dir, "index.json"), validIndex)
		}, nil},
		{"user files", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "notes.txt"), "hello")
		}, ErrNotLayout},
		{"foreign index.json", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "index.json"), `{"hello":1}`)
		}, ErrNotLayout},
		{"wrong layout version", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "oci-layout"), `{"imageLayoutVersion":"2.0.0"}`)
		}, ErrNotLayout},
		{"blobs with content", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "blobs", "sha256", "abc"), "x")
		}, ErrNotLayout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			tt.setup(t, dir)
			before := listDir(t, filepath.Dir(dir))
			l, err := Create(context.Background(), dir)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Create error = %v, want %v", err, tt.wantErr)
				}
				if after := listDir(t, filepath.Dir(dir)); !slices.Equal(before, after) {
					t.Fatalf("Create changed the directory: %v -> %v", before, after)
				}
				return
			}
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if _, err := Open(l.Dir()); err != nil {
				t.Fatalf("Open after Create: %v", err)
			}
			if fi, err := os.Stat(filepath.Join(dir, "blobs", "sha256")); err != nil || !fi.IsDir() {
				t.Fatalf("blobs/sha256 missing: %v", err)
			}
		})
	}
}

func TestCreateWritesSpecFiles(t *testing.T) {
	l := newLayout(t)
	idx, err := os.ReadFile(filepath.Join(l.Dir(), "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`
	if string(idx) != want {
		t.Errorf("index.json = %s, want %s", idx, want)
	}
	var marker ocispec.ImageLayout
	data, _ := os.ReadFile(filepath.Join(l.Dir(), "oci-layout"))
	if err := json.Unmarshal(data, &marker); err != nil || marker.Version != "1.0.0" {
		t.Errorf("oci-layout = %s (%v)", data, err)
	}
	for _, name := range []string{"index.json", "oci-layout"} {
		if fi, _ := os.Stat(filepath.Join(l.Dir(), name)); fi.Mode().Perm() != 0o644 {
			t.Errorf("%s mode = %v, want 0644", name, fi.Mode().Perm())
		}
	}
}

func TestCreateConcurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { _, errs[i] = Create(context.Background(), dir) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Create #%d: %v", i, err)
		}
	}
}

func TestOpen(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  error
	}{
		{"valid", map[string]string{"oci-layout": validMarker, "index.json": validIndex}, nil},
		{"empty dir", nil, ErrNotLayout},
		{"no index", map[string]string{"oci-layout": validMarker}, ErrNotLayout},
		{"no marker", map[string]string{"index.json": validIndex}, ErrNotLayout},
		{"garbage index", map[string]string{"oci-layout": validMarker, "index.json": "garbage"}, ErrInvalidLayout},
		{"bad version", map[string]string{"oci-layout": `{"imageLayoutVersion":"0.9"}`, "index.json": validIndex}, ErrNotLayout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				writeFile(t, filepath.Join(dir, name), content)
			}
			_, err := Open(dir)
			if !errors.Is(err, tt.want) || (tt.want != nil && !errors.Is(err, ErrNotLayout)) {
				t.Fatalf("Open error = %v, want %v", err, tt.want)
			}
		})
	}
}
