package layout

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// newLayout creates a fresh layout in a temp directory.
func newLayout(t *testing.T) *Layout {
	t.Helper()
	l, err := Create(context.Background(), filepath.Join(t.TempDir(), "layout"))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return l
}

// descFor returns the descriptor of data.
func descFor(mediaType string, data []byte) ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(data), Size: int64(len(data))}
}

// pushBytes pushes data and returns its descriptor.
func pushBytes(t *testing.T, l *Layout, data []byte) ocispec.Descriptor {
	t.Helper()
	desc := descFor("application/octet-stream", data)
	if err := l.Push(context.Background(), desc, bytes.NewReader(data)); err != nil {
		t.Fatalf("Push: %v", err)
	}
	return desc
}

// listDir returns the names in dir, relative to it, recursively.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		names = append(names, rel)
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return names
}

// writeFile writes a test file, creating parent directories.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
