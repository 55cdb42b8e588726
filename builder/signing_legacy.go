package builder

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/docker-krust/docker-krust/sign"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
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
		layers := append(othersLayers(ctx, store, tag), layer)
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
	layer.Annotations = map[string]string{sign.AnnotationSignature: sig, AnnotationSigned: signedImage}
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
// store that are not krust's; none when there is no such image, or it
// cannot be read.
func othersLayers(ctx context.Context, store *layout.Layout, tag string) []ocispec.Descriptor {
	desc, err := store.Resolve(ctx, tag)
	if err != nil {
		return nil
	}
	data, err := oci.ReadBlob(ctx, store, desc, oci.MaxManifestSize)
	if err != nil {
		return nil
	}
	var m ocispec.Manifest
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	var out []ocispec.Descriptor
	for _, l := range m.Layers {
		if _, ours := l.Annotations[AnnotationSigned]; !ours && l.MediaType == sign.SimpleSigningMediaType {
			out = append(out, l)
		}
	}
	return out
}

// writeSignatureImage writes the manifest of a signature image over
// layers, with the image config cosign's signature images have.
func writeSignatureImage(ctx context.Context, store *layout.Layout, layers []ocispec.Descriptor) (ocispec.Descriptor, error) {
	diffIDs := make([]digest.Digest, len(layers))
	for i, l := range layers {
		diffIDs[i] = l.Digest // the payloads are not compressed
	}
	config, err := writeJSON(ctx, store, ocispec.MediaTypeImageConfig, ocispec.Image{
		RootFS: ocispec.RootFS{Type: "layers", DiffIDs: diffIDs},
	})
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	return writeJSON(ctx, store, ocispec.MediaTypeImageManifest, oci.NewManifest(config, layers, nil))
}
