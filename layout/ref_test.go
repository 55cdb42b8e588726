package layout

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

func TestParseRef(t *testing.T) {
	abs, _ := filepath.Abs("rel/dir")
	tests := []struct {
		in, dir, tag string
		ok           bool
	}{
		{"oci:/a/b:v1", "/a/b", "v1", true},
		{"oci:/a/b", "/a/b", "", true},
		{"oci:rel/dir:latest", abs, "latest", true},
		{"oci:", "", "", false},
		{"/a/b", "", "", false},
		{"docker://x", "", "", false},
	}
	for _, tt := range tests {
		dir, tag, ok := ParseRef(tt.in)
		if dir != tt.dir || tag != tt.tag || ok != tt.ok {
			t.Errorf("ParseRef(%q) = %q, %q, %v; want %q, %q, %v", tt.in, dir, tag, ok, tt.dir, tt.tag, tt.ok)
		}
	}
}

func TestFindImage(t *testing.T) {
	ctx := context.Background()
	store, err := Create(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := store.WriteBlob(ctx, "application/vnd.oci.image.manifest.v1+json", []byte(`{"a":1}`))
	b, _ := store.WriteBlob(ctx, "application/vnd.oci.image.manifest.v1+json", []byte(`{"b":1}`))
	if err := store.Tag(ctx, a, "one"); err != nil {
		t.Fatal(err)
	}
	if got, err := store.FindImage(ctx, ""); err != nil || got.Digest != a.Digest {
		t.Errorf("the only image: %v, %v", got.Digest, err)
	}
	if err := store.Tag(ctx, b, "two"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.FindImage(ctx, ""); err == nil || !strings.Contains(err.Error(), "tags: one, two") {
		t.Errorf("two images without a tag: %v, want the tags listed", err)
	}
	if got, err := store.FindImage(ctx, "two"); err != nil || got.Digest != b.Digest {
		t.Errorf("by tag: %v, %v", got.Digest, err)
	}
	if _, err := store.FindImage(ctx, "three"); !errors.Is(err, errdef.ErrNotFound) || !strings.Contains(err.Error(), `"three"`) {
		t.Errorf("unknown tag: %v, want errdef.ErrNotFound naming the tag", err)
	}
	// A layout is anyone's: a name with a newline or a terminal escape is
	// listed quoted.
	idx, err := store.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hostile := idx.Manifests[1]
	hostile.Annotations = map[string]string{ocispec.AnnotationRefName: "two\n\x1b[2J"}
	if got := listedTags(t, store, ocispec.Index{Versioned: idx.Versioned, MediaType: idx.MediaType, Manifests: []ocispec.Descriptor{idx.Manifests[0], hostile}}); !strings.Contains(got, `tags: one, "two\n\x1b[2J"`) {
		t.Errorf("two images, one name hostile: %q, want it quoted", got)
	}
}

// TestFormatRefRoundTrip checks that what FormatRef writes, ParseRef reads
// back as it was, for the directories and tags builds write.
func TestFormatRefRoundTrip(t *testing.T) {
	tests := []struct{ dir, tag, want string }{
		{"/a/b", "v1", "oci:/a/b:v1"},
		{"/a/b", "", "oci:/a/b"},
		{"/home/me/proj/target/krust/oci", "latest", "oci:/home/me/proj/target/krust/oci:latest"},
		{"/dir with spaces/oci", "1.0.0-rc.1_x", "oci:/dir with spaces/oci:1.0.0-rc.1_x"},
		{"/", "t", "oci:/:t"},
	}
	for _, tt := range tests {
		got := FormatRef(tt.dir, tt.tag)
		if got != tt.want {
			t.Errorf("FormatRef(%q, %q) = %q, want %q", tt.dir, tt.tag, got, tt.want)
		}
		dir, tag, ok := ParseRef(got)
		if !ok || dir != tt.dir || tag != tt.tag {
			t.Errorf("ParseRef(FormatRef(%q, %q)) = %q, %q, %v", tt.dir, tt.tag, dir, tag, ok)
		}
	}
}

// TestFindImageIgnoresReferrers: "the only image" of a layout holding one
// build and its SBOMs and provenance is the build, under any of its tags.
func TestFindImageIgnoresReferrers(t *testing.T) {
	ctx := context.Background()
	g := graph{t: t, l: newLayout(t)}
	b := g.build("one")
	g.apply(b, "latest")
	if got, err := g.l.FindImage(ctx, ""); err != nil || got.Digest != b.index.Digest {
		t.Fatalf("FindImage of one image and %d referrers = %v, %v; want the image %s", len(b.all()), got.Digest, err, b.index.Digest)
	}
	g.apply(b, "v1")
	if got, err := g.l.FindImage(ctx, ""); err != nil || got.Digest != b.index.Digest {
		t.Fatalf("FindImage of one image under two tags = %v, %v; want the image", got.Digest, err)
	}
	g.apply(g.build("two"), "two")
	_, err := g.l.FindImage(ctx, "")
	if err == nil || !strings.Contains(err.Error(), "holds 2 images") || !strings.Contains(err.Error(), "(tags: latest, two, v1)") {
		t.Fatalf("FindImage of two images = %v, want them counted without their referrers, and every tag", err)
	}
}

// TestImageRef: an image found in a layout is named by the tag asked for,
// else by its own, else by the layout alone; never by digest, which an
// oci: reference cannot hold. A layout's own names that break the spec's
// grammar are not repeated.
func TestImageRef(t *testing.T) {
	named := func(name string) ocispec.Descriptor {
		d := ocispec.Descriptor{Digest: digest.FromString("image")}
		if name != "" {
			d.Annotations = map[string]string{ocispec.AnnotationRefName: name}
		}
		return d
	}
	tests := []struct{ tag, own, want string }{
		{"v1", "own", "oci:/a/b:v1"},
		{"", "own", "oci:/a/b:own"},
		{"", "", "oci:/a/b"},
	}
	for _, hostile := range []string{"v1\nevil", "v1\x1b[2J", "v1 v2", "-v1", "a//b", "/v1", "v1:", ".v1", "v1\x00"} {
		tests = append(tests, struct{ tag, own, want string }{"", hostile, "oci:/a/b"})
	}
	for _, good := range []string{"latest", "1.0.0-rc.1", "v1_x", "_v1", "v1-", "Foo+bar", "a--b", "example.com/app:v1", "app@sha256:abc"} {
		tests = append(tests, struct{ tag, own, want string }{"", good, "oci:/a/b:" + good})
	}
	for _, tt := range tests {
		if got := ImageRef("/a/b", tt.tag, named(tt.own)); got != tt.want {
			t.Errorf("ImageRef(/a/b, %q, named %q) = %q, want %q", tt.tag, tt.own, got, tt.want)
		}
	}
}

// listedTags writes idx as store's index.json and returns FindImage's
// error without a tag, which lists the images' tags.
func listedTags(t *testing.T, store *Layout, idx ocispec.Index) string {
	t.Helper()
	if err := writeIndexFile(store.dir, idx); err != nil {
		t.Fatal(err)
	}
	_, err := store.FindImage(context.Background(), "")
	if err == nil {
		t.Fatal("FindImage found one image among two")
	}
	return err.Error()
}
