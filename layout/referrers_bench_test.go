package layout

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// BenchmarkApplyWithReferrers times the update of a rebuild (the tag
// latest moves, its SBOM and provenance are replaced) in layouts where n
// other tagged images keep theirs: every referrer entry is read once per
// update, so growth is linear in n.
//
//	go test ./layout -run '^$' -bench BenchmarkApplyWithReferrers -benchtime 10x
func BenchmarkApplyWithReferrers(b *testing.B) {
	for _, n := range []int{1, 1_000, 5_000} {
		b.Run(fmt.Sprintf("images=%d", n), func(b *testing.B) {
			ctx := context.Background()
			l, err := Create(ctx, filepath.Join(b.TempDir(), "layout"))
			if err != nil {
				b.Fatal(err)
			}
			w := benchWriter{b: b, l: l}
			empty := w.blob(ocispec.MediaTypeEmptyJSON, []byte("{}"))
			var entries []ocispec.Descriptor
			for i := range n {
				img, refs := w.image(fmt.Sprint(i), empty)
				img.Annotations = map[string]string{ocispec.AnnotationRefName: fmt.Sprintf("ci-%d", i)}
				entries = append(append(entries, img), refs...)
			}
			seedIndex(b, l, entries)
			builds := make([]Update, 2)
			for i := range builds {
				img, refs := w.image(fmt.Sprint("latest ", i), empty)
				builds[i] = Update{Desc: img, Tags: []string{"latest"}, Referrers: refs}
			}
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if err := l.Apply(ctx, builds[i%2]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

type benchWriter struct {
	b *testing.B
	l *Layout
}

func (w benchWriter) blob(mediaType string, data []byte) ocispec.Descriptor {
	desc, err := w.l.WriteBlob(context.Background(), mediaType, data)
	if err != nil {
		w.b.Fatal(err)
	}
	return desc
}

func (w benchWriter) json(v any) ocispec.Descriptor {
	desc, data, err := oci.Encode(ocispec.MediaTypeImageManifest, v)
	if err != nil {
		w.b.Fatal(err)
	}
	return w.blob(desc.MediaType, data)
}

// image writes an image and its SBOM and provenance referrers.
func (w benchWriter) image(name string, empty ocispec.Descriptor) (ocispec.Descriptor, []ocispec.Descriptor) {
	cfg := w.blob(ocispec.MediaTypeImageConfig, []byte(`{"n":"`+name+`"}`))
	img := w.json(oci.NewManifest(cfg, nil, nil))
	var refs []ocispec.Descriptor
	for _, typ := range []string{spdxType, provenanceType} {
		doc := w.blob(typ, []byte(`{"n":"`+name+typ+`"}`))
		m := oci.NewManifest(empty, []ocispec.Descriptor{doc}, nil)
		m.ArtifactType, m.Subject = typ, &img
		r := w.json(m)
		r.ArtifactType = typ
		refs = append(refs, r)
	}
	return img, refs
}
