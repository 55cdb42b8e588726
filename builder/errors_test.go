package builder

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// What a build cannot do is said with the package's sentinels, and in the
// settings' words: the command adds the flags.
func TestPrepareErrorsAreSentinels(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, tb *testBuild)
		want  error
	}{
		{"a registry base without a puller", func(t *testing.T, tb *testBuild) { tb.Base = "registry.example/base:1" }, ErrNoPuller},
		{"a layout directory under a file", func(t *testing.T, tb *testBuild) {
			file := filepath.Join(tb.Dir, "file")
			if err := os.WriteFile(file, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			tb.LayoutDir = filepath.Join(file, "oci")
		}, ErrLayoutNotWritable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, tb := newFake(t)
			tt.setup(t, &tb)
			_, err := Run(context.Background(), f, tb)
			if !errors.Is(err, tt.want) || strings.Contains(err.Error(), "--") {
				t.Fatalf("error %v, want %v naming no flag", err, tt.want)
			}
		})
	}
}
