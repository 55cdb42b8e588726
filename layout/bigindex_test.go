package layout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ciEntries returns n index entries as a CI that tags every commit leaves
// them: one image manifest per commit, tagged with the commit.
func ciEntries(n int) []ocispec.Descriptor {
	entries := make([]ocispec.Descriptor, n)
	for i := range entries {
		tag := fmt.Sprintf("ci-%07d-%040x", i, i)
		entries[i] = ocispec.Descriptor{
			MediaType:   ocispec.MediaTypeImageManifest,
			Digest:      digest.FromString(tag),
			Size:        int64(1000 + i%500),
			Annotations: map[string]string{ocispec.AnnotationRefName: tag},
		}
	}
	return entries
}

// seedIndex writes an index.json of entries with the writer Tag uses.
func seedIndex(t testing.TB, l *Layout, entries []ocispec.Descriptor) {
	t.Helper()
	idx := emptyIndex()
	idx.Manifests = entries
	if err := writeIndexFile(l.Dir(), idx); err != nil {
		t.Fatal(err)
	}
}

func TestTwentyThousandTags(t *testing.T) {
	ctx := context.Background()
	l := newLayout(t)
	seedIndex(t, l, ciEntries(19_999))
	desc := pushBytes(t, l, []byte("the 20,000th image"))
	if err := l.Tag(ctx, desc, "latest"); err != nil {
		t.Fatalf("Tag into a 19,999-tag layout: %v", err)
	}
	info, err := os.Stat(filepath.Join(l.Dir(), indexFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() <= 4<<20 {
		t.Fatalf("index.json is %d bytes; the case needs one beyond the 4 MiB krust once refused", info.Size())
	}
	reopened, err := Open(l.Dir())
	if err != nil {
		t.Fatalf("Open a layout of 20,000 tags (%d bytes): %v", info.Size(), err)
	}
	if _, err := Create(context.Background(), l.Dir()); err != nil {
		t.Fatalf("Create on a layout of 20,000 tags: %v", err)
	}
	dir, tag, ok := ParseRef("oci:" + l.Dir() + ":latest")
	if !ok || dir != l.Dir() {
		t.Fatalf("ParseRef = %q, %q, %v", dir, tag, ok)
	}
	got, err := reopened.FindImage(ctx, tag)
	if err != nil || got.Digest != desc.Digest {
		t.Fatalf("FindImage(latest) = %v, %v; want %s", got.Digest, err, desc.Digest)
	}
	old := ciEntries(1)[0]
	if got, err := reopened.FindImage(ctx, old.Annotations[ocispec.AnnotationRefName]); err != nil || got.Digest != old.Digest {
		t.Fatalf("FindImage(first tag) = %v, %v; want %s", got.Digest, err, old.Digest)
	}
	_, err = reopened.FindImage(ctx, "")
	if err == nil || !strings.Contains(err.Error(), "holds 20000 images") || !strings.Contains(err.Error(), "and 19980 more") {
		t.Fatalf("FindImage without a tag = %v, want the count and a short list", err)
	}
	if len(err.Error()) > 4096 {
		t.Errorf("FindImage's error is %d bytes long; it must list only a few tags", len(err.Error()))
	}
}

func TestIndexLimitsAreTheSameForWritingAndReading(t *testing.T) {
	ctx := context.Background()
	fat := map[string]string{"x": strings.Repeat("a", 4<<20)}
	tests := []struct {
		name    string
		entries []ocispec.Descriptor
		tags    []string
	}{
		// One entry short of MaxIndexEntries: one tag fits, two do not.
		{"two tags past the entry limit", ciEntries(MaxIndexEntries - 1), []string{"a", "b"}},
		// A big annotation leaves room for the tag but not for a second
		// copy of it.
		{"bytes past the byte limit", func() []ocispec.Descriptor {
			e := ciEntries(1)
			e[0].Annotations = map[string]string{"x": strings.Repeat("a", MaxIndexBytes-(4<<20)-1000)}
			return e
		}(), []string{"big", "bigger"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLayout(t)
			seedIndex(t, l, tt.entries)
			before, err := os.ReadFile(filepath.Join(l.Dir(), indexFile))
			if err != nil {
				t.Fatal(err)
			}
			desc := pushBytes(t, l, []byte("image"))
			desc.Annotations = fat
			err = l.TagAll(ctx, desc, tt.tags...)
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "remove old tags") {
				t.Fatalf("TagAll = %v, want ErrTooLarge saying what to do", err)
			}
			after, err := os.ReadFile(filepath.Join(l.Dir(), indexFile))
			if err != nil || string(after) != string(before) {
				t.Fatalf("index.json changed although the tags were refused (%v)", err)
			}
			if _, err := l.Index(ctx); err != nil {
				t.Fatalf("the index krust wrote cannot be read: %v", err)
			}
		})
	}
}

// BenchmarkTag times one Tag into layouts of 1, 10,000 and 20,000 tags:
// linear growth, not quadratic, is 20k/10k ≈ 2.
//
//	go test ./layout -run '^$' -bench BenchmarkTag -benchtime 20x
func BenchmarkTag(b *testing.B) {
	for _, n := range []int{1, 10_000, 20_000} {
		b.Run(fmt.Sprintf("tags=%d", n), func(b *testing.B) {
			l, err := Create(context.Background(), filepath.Join(b.TempDir(), "layout"))
			if err != nil {
				b.Fatal(err)
			}
			seedIndex(b, l, ciEntries(n-1))
			desc, err := l.WriteBlob(context.Background(), ocispec.MediaTypeImageManifest, []byte("image"))
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if err := l.Tag(context.Background(), desc, "latest"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
