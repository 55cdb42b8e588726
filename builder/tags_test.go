package builder

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
	"github.com/docker-krust/docker-krust/oci"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// seedLayout creates the layout at dir with an index.json of entries and
// returns the index's size in bytes.
func seedLayout(t *testing.T, dir string, idx ocispec.Index) int {
	t.Helper()
	if _, err := layout.Create(context.Background(), dir); err != nil {
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

func readIndex(t *testing.T, dir string) ocispec.Index {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx ocispec.Index
	if err := json.Unmarshal(data, &idx); err != nil {
		t.Fatal(err)
	}
	return idx
}

// indexOf returns an index of n untagged entries, the first padded so that
// the document is size bytes long.
func indexOf(t *testing.T, n, size int) ocispec.Index {
	t.Helper()
	entries := make([]ocispec.Descriptor, n)
	for i := range entries {
		entries[i] = ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString(strconv.Itoa(i)), Size: 1}
	}
	// A layout's index.json is an image index whose entries need no
	// platform: oci.NewIndex builds it as it builds a multi-platform one.
	idx := oci.NewIndex(entries, nil)
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
			// Read index.json without krust's limits: this checks what is
			// in it, not whether krust can read it.
			tagged := map[string]bool{}
			for _, e := range readIndex(t, opts.LayoutDir).Manifests {
				tagged[e.Annotations[ocispec.AnnotationRefName]] = true
			}
			var set, unset []string
			for _, tag := range opts.Tags {
				if tagged[tag] {
					set = append(set, tag)
				} else {
					unset = append(unset, tag)
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
