package layout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

func TestTagAllIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		tags    []string
		missing bool // the descriptor's blob is not in the layout
		want    error
		tagged  []string
	}{
		{"all tags", []string{"v1", "latest", "sha-abc"}, false, nil, []string{"old", "v1", "latest", "sha-abc"}},
		{"a tag given twice", []string{"v1", "latest", "v1"}, false, nil, []string{"old", "v1", "latest"}},
		{"retag replaces the old entry", []string{"old", "new"}, false, nil, []string{"old", "new"}},
		{"second tag invalid", []string{"v1", "bad tag"}, false, ErrInvalidTag, nil},
		{"last tag invalid", []string{"v1", "v2", ".hidden"}, false, ErrInvalidTag, nil},
		{"no tags", nil, false, errdef.ErrMissingReference, nil},
		{"blob missing", []string{"v1", "v2"}, true, errdef.ErrNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLayout(t)
			old := pushBytes(t, l, []byte("old image"))
			if err := l.Tag(ctx, old, "old"); err != nil {
				t.Fatal(err)
			}
			before, err := os.ReadFile(filepath.Join(l.Dir(), indexFile))
			if err != nil {
				t.Fatal(err)
			}
			desc := descFor(ocispec.MediaTypeImageManifest, []byte("new image"))
			if !tt.missing {
				desc = pushBytes(t, l, []byte("new image"))
			}
			err = l.TagAll(ctx, desc, tt.tags...)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("TagAll(%q) = %v, want %v", tt.tags, err, tt.want)
				}
				after, _ := os.ReadFile(filepath.Join(l.Dir(), indexFile))
				if string(after) != string(before) {
					t.Fatalf("TagAll failed but changed index.json:\n%s", after)
				}
				return
			}
			if err != nil {
				t.Fatalf("TagAll(%q): %v", tt.tags, err)
			}
			var got []string
			for _, e := range mustIndex(t, l).Manifests {
				got = append(got, e.Annotations[ocispec.AnnotationRefName])
			}
			if strings.Join(got, " ") != strings.Join(tt.tagged, " ") {
				t.Fatalf("index.json tags %q, want %q", got, tt.tagged)
			}
			for _, tag := range tt.tags {
				if d, err := l.Resolve(ctx, tag); err != nil || d.Digest != desc.Digest {
					t.Errorf("Resolve(%s) = %v, %v; want %s", tag, d.Digest, err, desc.Digest)
				}
			}
		})
	}
}

// TestReaderNeverSeesPartOfATagAll reads index.json while sets of tags are
// written: every set is there whole or not at all.
func TestReaderNeverSeesPartOfATagAll(t *testing.T) {
	ctx := context.Background()
	l := newLayout(t)
	const sets, perSet = 30, 8
	done := make(chan struct{})
	problems := make(chan string, 1)
	go func() {
		defer close(problems)
		for reads := 0; ; reads++ {
			select {
			case <-done:
				if reads == 0 {
					problems <- "the reader never read index.json"
				}
				return
			default:
			}
			idx, err := l.Index(ctx)
			if err != nil {
				problems <- err.Error()
				return
			}
			count := map[string]int{}
			for _, e := range idx.Manifests {
				set, _, _ := strings.Cut(e.Annotations[ocispec.AnnotationRefName], "-")
				count[set]++
			}
			for set, n := range count {
				if n != perSet {
					problems <- fmt.Sprintf("read %d of the %d tags of %s", n, perSet, set)
					return
				}
			}
		}
	}()
	for s := range sets {
		desc := pushBytes(t, l, fmt.Appendf(nil, "image %d", s))
		tags := make([]string, perSet)
		for i := range tags {
			tags[i] = fmt.Sprintf("s%d-t%d", s, i)
		}
		if err := l.TagAll(ctx, desc, tags...); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for p := range problems {
		t.Error(p)
	}
	if n := len(mustIndex(t, l).Manifests); n != sets*perSet {
		t.Errorf("index.json holds %d entries, want %d", n, sets*perSet)
	}
}

func mustIndex(t *testing.T, l *Layout) ocispec.Index {
	t.Helper()
	idx, err := l.Index(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return idx
}
