package build

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/layout"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// seedLayout creates the layout at dir with an index.json of entries and
// returns the index's size in bytes.
func seedLayout(t *testing.T, dir string, idx ocispec.Index) int {
	t.Helper()
	if _, err := layout.Create(dir); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(idx)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return len(data)
}

// indexOf returns an index of n untagged entries, the first padded so that
// the document is size bytes long.
func indexOf(t *testing.T, n, size int) ocispec.Index {
	t.Helper()
	idx := ocispec.Index{MediaType: ocispec.MediaTypeImageIndex, Manifests: make([]ocispec.Descriptor, n)}
	idx.SchemaVersion = 2
	for i := range idx.Manifests {
		idx.Manifests[i] = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString(strconv.Itoa(i)), Size: 1}
	}
	data, err := json.Marshal(idx)
	if err != nil {
		t.Fatal(err)
	}
	if pad := size - len(data) - len(`"annotations":{"p":""},`); pad > 0 {
		idx.Manifests[0].Annotations = map[string]string{"p": strings.Repeat("x", pad)}
	}
	return idx
}

// TestRunTagsAllOrNone builds with several tags into layouts where one
// more tag still fits in index.json but not several: the build sets all its
// tags or none, never the first alone.
func TestRunTagsAllOrNone(t *testing.T) {
	tests := []struct {
		name string
		idx  func(t *testing.T) ocispec.Index
	}{
		// Once the first tag is set index.json passes 4 MiB, which krust
		// refused to read when it tagged one tag at a time.
		{"index.json crosses 4 MiB with the first tag", func(t *testing.T) ocispec.Index { return indexOf(t, 1, 4<<20-50) }},
		{"room for one entry only", func(t *testing.T) ocispec.Index { return indexOf(t, layout.MaxIndexEntries-1, 0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			opts.LayoutDir = filepath.Join(t.TempDir(), "oci")
			opts.Tags = []string{"v1", "latest", "sha-1234"}
			seedLayout(t, opts.LayoutDir, tt.idx(t))
			_, err := Run(context.Background(), f, opts)
			store := mustOpen(t, opts.LayoutDir)
			var set, unset []string
			for _, tag := range opts.Tags {
				_, rerr := store.Resolve(context.Background(), tag)
				switch {
				case rerr == nil:
					set = append(set, tag)
				case errors.Is(rerr, errdef.ErrNotFound):
					unset = append(unset, tag)
				default:
					t.Fatalf("read the layout after the build (error %v): %v", err, rerr)
				}
			}
			if len(set) != 0 && len(unset) != 0 {
				t.Fatalf("build (error %v) set tags %v but not %v: all or none", err, set, unset)
			}
			if (err == nil) != (len(unset) == 0) {
				t.Fatalf("build error %v, yet tags set %v and not set %v", err, set, unset)
			}
			if err != nil && !errors.Is(err, layout.ErrTooLarge) {
				t.Errorf("build error %v, want one wrapping layout.ErrTooLarge", err)
			}
		})
	}
}
