package sign

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// testImage is an index of two platform manifests in a layout.
type testImage struct {
	l         *layout.Layout
	index     ocispec.Descriptor
	manifests []ocispec.Descriptor
}

func writeTestJSON(t *testing.T, l *layout.Layout, mediaType string, v any) ocispec.Descriptor {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := l.WriteBlob(context.Background(), mediaType, data)
	if err != nil {
		t.Fatal(err)
	}
	return desc
}

func newTestImage(t *testing.T) testImage {
	t.Helper()
	ctx := context.Background()
	l, err := layout.Create(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	img := testImage{l: l}
	for _, arch := range []string{"amd64", "arm64"} {
		config := writeTestJSON(t, l, ocispec.MediaTypeImageConfig, map[string]any{"architecture": arch, "os": "linux", "rootfs": map[string]any{"type": "layers", "diff_ids": []string{}}})
		m := writeTestJSON(t, l, ocispec.MediaTypeImageManifest, oci.NewManifest(config, nil, nil))
		m.Platform = &ocispec.Platform{OS: "linux", Architecture: arch}
		img.manifests = append(img.manifests, m)
	}
	img.index = writeTestJSON(t, l, ocispec.MediaTypeImageIndex, oci.NewIndex(img.manifests, nil))
	if err := l.Apply(ctx, layout.Update{Desc: img.index, Tags: []string{"v1"}}); err != nil {
		t.Fatal(err)
	}
	return img
}

// attach signs stmt with k and attaches the bundle to subject, as the
// builder does.
func (img testImage) attach(t *testing.T, k *Key, subject ocispec.Descriptor, stmt []byte) {
	t.Helper()
	ctx := context.Background()
	b, err := k.Sign(ctx, stmt)
	if err != nil {
		t.Fatal(err)
	}
	writeTestJSON(t, img.l, ocispec.MediaTypeEmptyJSON, map[string]any{})
	layer, err := img.l.WriteBlob(ctx, BundleMediaType, b.JSON)
	if err != nil {
		t.Fatal(err)
	}
	ref := writeTestJSON(t, img.l, ocispec.MediaTypeImageManifest, oci.NewReferrer(BundleMediaType, subject, layer,
		map[string]string{AnnotationContent: ContentDSSE, AnnotationPredicateType: b.PredicateType}))
	if err := img.l.Apply(ctx, layout.Update{Referrers: []ocispec.Descriptor{ref}}); err != nil {
		t.Fatal(err)
	}
}

func (img testImage) sign(t *testing.T, k *Key, subject ocispec.Descriptor) {
	t.Helper()
	img.attach(t, k, subject, mustStatement(t, subject.Digest))
}

func TestVerifyImage(t *testing.T) {
	ctx := context.Background()
	keys := testKeys(t)
	key, other := keys["P-256"], keys["Ed25519"]
	v, err := NewVerifier(key.Public())
	if err != nil {
		t.Fatal(err)
	}

	img := newTestImage(t)
	img.sign(t, key, img.index)
	img.sign(t, key, img.manifests[0])
	img.sign(t, other, img.manifests[1])
	sbom, err := Statement("app", img.manifests[0].Digest, SPDXPredicate, []byte(`{"spdxVersion":"SPDX-2.3"}`))
	if err != nil {
		t.Fatal(err)
	}
	img.attach(t, key, img.manifests[0], sbom)
	// A signature of the index moved onto the arm64 manifest.
	img.attach(t, key, img.manifests[1], mustStatement(t, img.index.Digest))

	checked, err := VerifyImage(ctx, img.l, img.index, v)
	if !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), "the linux/arm64 manifest "+img.manifests[1].Digest.String()) ||
		strings.Contains(err.Error(), "linux/amd64") {
		t.Fatalf("VerifyImage: %v, want the arm64 manifest alone named as unsigned", err)
	}
	if len(checked) != 3 {
		t.Fatalf("checked %d, want the index and its 2 manifests", len(checked))
	}
	if c := checked[0]; !c.Signed() || len(c.Failed) != 0 || c.Subject.Digest != img.index.Digest {
		t.Errorf("index: %+v", c)
	}
	if c := checked[1]; !c.Signed() || c.Verified[SPDXPredicate] != 1 || c.Platform != "linux/amd64" {
		t.Errorf("amd64: %+v", c)
	}
	if c := checked[2]; c.Signed() || len(c.Failed) != 2 {
		t.Errorf("arm64: %+v, want two bundles failed (another key, a moved signature)", c)
	}

	img.sign(t, key, img.manifests[1])
	if _, err := VerifyImage(ctx, img.l, img.index, v); err != nil {
		t.Errorf("once every manifest is signed: %v", err)
	}
	// A forged SBOM attestation beside valid signatures.
	forged, err := Statement("app", img.manifests[1].Digest, SPDXPredicate, []byte(`{"spdxVersion":"SPDX-2.3","forged":true}`))
	if err != nil {
		t.Fatal(err)
	}
	img.attach(t, other, img.manifests[1], forged)
	if _, err := VerifyImage(ctx, img.l, img.index, v); !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), "linux/arm64") || !strings.Contains(err.Error(), SPDXPredicate) {
		t.Errorf("a forged attestation: %v, want it named", err)
	}
	bare := newTestImage(t)
	if _, err := VerifyImage(ctx, bare.l, bare.index, v); !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), "no Sigstore bundle is attached") {
		t.Errorf("an image with no bundles: %v", err)
	}
}
