package builder

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/docker-krust/docker-krust/sign"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
)

// signLegacy signs each subject in cosign's legacy format: an image
// tagged sha256-HEX.sig whose layers are signed payloads. A signature
// image the layout holds for the subject already keeps the layers of
// other signers; krust's own (AnnotationSigned) are replaced.
func (p *Plan) signLegacy(ctx context.Context, s *signer, store *layout.Layout, subjects []ocispec.Descriptor) ([]layout.Tagged, error) {
	var out []layout.Tagged
	for _, subject := range subjects {
		layer, err := p.legacySignature(ctx, s, store, subject)
		if err != nil {
			return nil, fmt.Errorf("sign %s: %w", subject.Digest, err)
		}
		tag := sign.SignatureTag(subject.Digest)
		others, err := othersLayers(ctx, store, tag, s.key.Hint())
		if err != nil {
			return nil, err
		}
		layers := append(others, layer)
		desc, err := writeSignatureImage(ctx, store, layers)
		if err != nil {
			return nil, fmt.Errorf("sign %s: %w", subject.Digest, err)
		}
		out = append(out, layout.Tagged{Desc: desc, Tag: tag})
	}
	return out, nil
}

// legacySignature writes the signed payload of subject, the layer that
// carries its signature.
func (p *Plan) legacySignature(ctx context.Context, s *signer, store *layout.Layout, subject ocispec.Descriptor) (ocispec.Descriptor, error) {
	payload, err := sign.SimpleSigning(p.signedName(), subject.Digest)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	sig, err := s.key.SignPayload(payload)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	if err := s.v.VerifyPayload(payload, sig, subject.Digest); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("the signature just made does not verify: %w", err)
	}
	layer, err := store.WriteBlob(ctx, sign.SimpleSigningMediaType, payload)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("write the signed payload: %w", err)
	}
	layer.Annotations = map[string]string{sign.AnnotationSignature: sig, AnnotationSigned: signedImage, AnnotationSignedKey: s.key.Hint()}
	return layer, nil
}

// signedName is the repository a legacy signature names; cosign does not
// check it. The package's name when the image has none (--no-push).
func (p *Plan) signedName() string {
	if p.Ref != nil {
		return p.Ref.Name()
	}
	return p.imageName()
}

// othersLayers returns the layers of the signature image tagged tag in
// store but those krust made with the key hint names: other signers',
// krust with another key among them. None when there is no such image;
// one that cannot be read is an error, rather than signatures lost.
func othersLayers(ctx context.Context, store *layout.Layout, tag, hint string) ([]ocispec.Descriptor, error) {
	desc, err := store.Resolve(ctx, tag)
	if errors.Is(err, errdef.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m ocispec.Manifest
	if err := oci.ReadJSON(ctx, store, desc, oci.MaxManifestSize, &m); err != nil {
		return nil, fmt.Errorf("read the signatures tagged %s, to keep them (untag it to start afresh): %w", tag, err)
	}
	return slices.DeleteFunc(m.Layers, func(l ocispec.Descriptor) bool { return SignedBy(l, []string{hint}) }), nil
}

// SignedBy reports whether l is a legacy signature krust made with a key
// that one of hints names: a rebuild replaces those, and keeps the rest.
func SignedBy(l ocispec.Descriptor, hints []string) bool {
	_, ours := l.Annotations[AnnotationSigned]
	return ours && slices.Contains(hints, l.Annotations[AnnotationSignedKey])
}

// writeSignatureImage writes the manifest of a signature image over
// layers, with the image config cosign's signature images have.
func writeSignatureImage(ctx context.Context, store *layout.Layout, layers []ocispec.Descriptor) (ocispec.Descriptor, error) {
	config, err := writeJSON(ctx, store, ocispec.MediaTypeImageConfig, oci.StoredAsIs(layers))
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	return writeJSON(ctx, store, ocispec.MediaTypeImageManifest, oci.NewManifest(config, layers, nil))
}
