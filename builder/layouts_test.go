package builder

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/docker-krust/docker-krust/cargo"
)

// DefaultLayouts finds what defaultLayoutDir names, and layouts in the
// directories down to where builds put them, as gc always did.
func TestDefaultLayoutsFindsWhereBuildsPutThem(t *testing.T) {
	root := t.TempDir()
	inside := &cargo.Project{WorkspaceRoot: root, TargetDir: filepath.Join(root, "target")}
	outside := &cargo.Project{WorkspaceRoot: filepath.Join(root, "ws"), TargetDir: inside.TargetDir}
	target := inside.TargetDir
	tests := []struct {
		name string
		dir  string
		want bool
	}{
		{"a package's binary", defaultLayoutDir(inside, "api", []string{"api"}), true},
		{"a binary with an unsafe name", defaultLayoutDir(inside, "api", []string{"a:b"}), true},
		{"a workspace outside the target directory", defaultLayoutDir(outside, "worker", []string{"w"}), true},
		{"--oci-layout at the package's depth", filepath.Join(LayoutsDir(target), "mine"), true},
		{"in a directory where builds put layouts", filepath.Join(LayoutsDir(target), "a", "b", "c"), true},
		{"below that", filepath.Join(LayoutsDir(target), "d", "e", "f", "g"), false},
		{"inside another layout", filepath.Join(defaultLayoutDir(inside, "api", []string{"api"}), "blobs", "nested"), false},
		{"beside krust's directory", filepath.Join(target, "other", "x"), false},
	}
	var want []string
	for _, tt := range tests {
		if err := os.MkdirAll(tt.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tt.dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		if tt.want {
			want = append(want, tt.dir)
		}
	}
	got, err := DefaultLayouts(target)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("DefaultLayouts = %q\nwant %q", got, want)
	}
	if got, err := DefaultLayouts(filepath.Join(root, "none")); err != nil || len(got) != 0 {
		t.Errorf("DefaultLayouts of a missing directory = %q, %v; want none", got, err)
	}
}
