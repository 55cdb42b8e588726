package layout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/errdef"
)

// tagsOf returns the ref.name of every index entry, in order.
func tagsOf(t *testing.T, l *Layout) []string {
	t.Helper()
	idx, err := l.Index(context.Background())
	if err != nil {
		t.Fatalf("Index: %v", err)
	}
	var tags []string
	for _, d := range idx.Manifests {
		tags = append(tags, d.Annotations[ocispec.AnnotationRefName]+"="+d.Digest.Encoded()[:6])
	}
	return tags
}

func TestTagResolve(t *testing.T) {
	ctx := context.Background()
	l := newLayout(t)
	a := pushBytes(t, l, []byte("manifest a"))
	b := pushBytes(t, l, []byte("manifest b"))
	annotations := map[string]string{"keep": "me"}
	a.Annotations = annotations
	steps := []struct {
		desc ocispec.Descriptor
		tag  string
		want string
	}{
		{a, "v1", "v1=" + a.Digest.Encoded()[:6]},
		{b, "latest", "v1=" + a.Digest.Encoded()[:6] + " latest=" + b.Digest.Encoded()[:6]},
		// retagging v1 replaces only that entry and moves it to the end
		{b, "v1", "latest=" + b.Digest.Encoded()[:6] + " v1=" + b.Digest.Encoded()[:6]},
		{a, "v1", "latest=" + b.Digest.Encoded()[:6] + " v1=" + a.Digest.Encoded()[:6]},
	}
	for _, s := range steps {
		if err := l.Tag(ctx, s.desc, s.tag); err != nil {
			t.Fatalf("Tag(%s): %v", s.tag, err)
		}
		if got := strings.Join(tagsOf(t, l), " "); got != s.want {
			t.Fatalf("after Tag(%s) index = %s, want %s", s.tag, got, s.want)
		}
	}
	if len(annotations) != 1 {
		t.Errorf("Tag mutated the caller's annotations: %v", annotations)
	}
	tests := []struct {
		ref  string
		want ocispec.Descriptor
		err  error
	}{
		{"v1", a, nil},
		{"latest", b, nil},
		{b.Digest.String(), b, nil},
		{"nope", ocispec.Descriptor{}, errdef.ErrNotFound},
		{"", ocispec.Descriptor{}, errdef.ErrMissingReference},
	}
	for _, tt := range tests {
		got, err := l.Resolve(ctx, tt.ref)
		if !errors.Is(err, tt.err) || got.Digest != tt.want.Digest {
			t.Errorf("Resolve(%q) = %v, %v; want %v, %v", tt.ref, got.Digest, err, tt.want.Digest, tt.err)
		}
	}
	if got, _ := l.Resolve(ctx, "v1"); got.Annotations["keep"] != "me" {
		t.Errorf("annotations lost: %v", got.Annotations)
	}
}

func TestTagErrors(t *testing.T) {
	l := newLayout(t)
	ok := pushBytes(t, l, []byte("x"))
	tests := []struct {
		name string
		desc ocispec.Descriptor
		tag  string
		want error
	}{
		{"missing blob", descFor("x", []byte("absent")), "v1", errdef.ErrNotFound},
		{"empty tag", ok, "", ErrInvalidTag},
		{"leading dot", ok, ".v1", ErrInvalidTag},
		{"slash", ok, "a/b", ErrInvalidTag},
		{"colon", ok, "a:b", ErrInvalidTag},
		{"too long", ok, strings.Repeat("a", 129), ErrInvalidTag},
		{"max length", ok, strings.Repeat("a", 128), nil},
		{"all chars", ok, "_A-z.9", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := l.Tag(context.Background(), tt.desc, tt.tag)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Tag = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestTagConcurrent(t *testing.T) {
	l := newLayout(t)
	desc := pushBytes(t, l, []byte("shared"))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			other, err := Open(l.Dir()) // separate handles, like separate processes
			if err == nil {
				err = other.Tag(context.Background(), desc, fmt.Sprintf("t%d", i))
			}
			if err != nil {
				t.Errorf("Tag t%d: %v", i, err)
			}
		})
	}
	wg.Wait()
	for i := range 8 {
		if _, err := l.Resolve(context.Background(), fmt.Sprintf("t%d", i)); err != nil {
			t.Errorf("t%d lost: %v", i, err)
		}
	}
}

func TestIndexInvalid(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    error
	}{
		{"garbage", "garbage", ErrInvalidLayout},
		{"bad digest", `{"schemaVersion":2,"manifests":[{"digest":"sha256:../../etc","size":1}]}`, ErrInvalidLayout},
		{"bad schema", `{"schemaVersion":1,"manifests":[]}`, ErrInvalidLayout},
		{"too large", `{"schemaVersion":2,"manifests":[],"annotations":{"x":"` + strings.Repeat("a", MaxIndexBytes) + `"}}`, ErrTooLarge},
		{"too many entries", `{"schemaVersion":2,"manifests":[` + strings.Repeat(`{"digest":"sha256:`+strings.Repeat("0", 64)+`","size":1},`, MaxIndexEntries) + `{"digest":"sha256:` + strings.Repeat("0", 64) + `","size":1}]}`, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLayout(t)
			path := filepath.Join(l.Dir(), "index.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := l.Index(context.Background())
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Index = %v, want %v naming %s", err, tt.want, path)
			}
		})
	}
}

func TestOrasCopy(t *testing.T) {
	ctx := context.Background()
	src, dst := newLayout(t), newLayout(t)
	layer := pushBytes(t, src, []byte("layer"))
	config, err := src.WriteBlob(ctx, ocispec.MediaTypeImageConfig, []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(oci.NewManifest(config, []ocispec.Descriptor{layer}, nil))
	mdesc, err := src.WriteBlob(ctx, ocispec.MediaTypeImageManifest, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Tag(ctx, mdesc, "v1"); err != nil {
		t.Fatal(err)
	}
	if _, err := oras.Copy(ctx, src, "v1", dst, "v2", oras.DefaultCopyOptions); err != nil {
		t.Fatalf("oras.Copy: %v", err)
	}
	got, err := dst.Resolve(ctx, "v2")
	if err != nil || got.Digest != mdesc.Digest {
		t.Fatalf("Resolve copied tag = %v, %v", got.Digest, err)
	}
	for _, d := range []ocispec.Descriptor{layer, config} {
		if ok, _ := dst.Exists(ctx, d); !ok {
			t.Errorf("blob %s not copied", d.Digest)
		}
	}
}
