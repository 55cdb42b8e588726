package builder

import (
	"context"
	"fmt"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/sign"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// AnnotationSigned marks the signatures and signed attestations krust
// attaches, so that a rebuild replaces its own and leaves those of other
// tools (cosign sign, notation) alone; its value says which it is.
const AnnotationSigned = "dev.docker-krust.signed"

// AnnotationSignedKey is the hint of the key of a legacy signature krust
// made (sign.Key.Hint): a rebuild replaces only those of its own key.
const AnnotationSignedKey = "dev.docker-krust.key"

// The values of AnnotationSigned.
const (
	signedImage    = "image"
	signedDocument = "document"
)

// ownSignatures are the referrers a signed build replaces: krust's own
// bundles on the same image.
func ownSignatures() []layout.Marked {
	return []layout.Marked{{ArtifactType: sign.BundleMediaType, Annotation: AnnotationSigned}}
}

// signer signs a build's images and documents with the Builder's key, and
// checks each signature with the public key before it is written.
type signer struct {
	key *sign.Key
	v   *sign.Verifier
}

// signer returns the build's signer, or nil when it signs nothing.
func (p *Plan) signer() (*signer, error) {
	if p.b.Signer == nil {
		return nil, nil
	}
	pub := p.b.Signer.Public()
	if p.b.checkWith != nil {
		pub = p.b.checkWith
	}
	v, err := sign.NewVerifier(pub)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", p.b.Signer.Path, err)
	}
	return &signer{key: p.b.Signer, v: v}, nil
}

// signAll signs the images of a build whose documents are signed already
// (res.Signatures), and adds the signatures to update, which replaces
// krust's earlier ones; nothing without a signer.
func (p *Plan) signAll(ctx context.Context, s *signer, store *layout.Layout, manifests []ocispec.Descriptor, res *Result, update *layout.Update) error {
	if s == nil {
		return nil
	}
	signed, tagged, err := p.signImages(ctx, s, store, manifests, update.Desc)
	if err != nil {
		return err
	}
	documents := len(res.Signatures)
	res.Signatures = append(res.Signatures, signed...)
	update.SupersedeMarked, update.Also = ownSignatures(), tagged
	logf(p.b.Log, "signed %s (%s) and %d %s with %s\n", kindOf(update.Desc), p.b.signFormat(), documents, plural(documents, "document", "documents"), s.key.Path)
	return nil
}

// signImages signs every manifest of the build and, for several
// platforms, their index top: cosign verify of the printed reference and
// of each platform's manifest both find a signature.
// In the legacy format, the signatures are images to tag instead.
func (p *Plan) signImages(ctx context.Context, s *signer, store *layout.Layout, manifests []ocispec.Descriptor, top ocispec.Descriptor) ([]ocispec.Descriptor, []layout.Tagged, error) {
	subjects := manifests
	if len(manifests) > 1 {
		subjects = append([]ocispec.Descriptor{top}, manifests...)
	}
	if p.b.SignFormat == sign.LegacyFormat {
		tagged, err := p.signLegacy(ctx, s, store, subjects)
		return nil, tagged, err
	}
	var out []ocispec.Descriptor
	for _, subject := range subjects {
		stmt, err := sign.SignatureStatement(subject.Digest)
		if err != nil {
			return nil, nil, err
		}
		desc, err := p.writeSigned(ctx, s, store, subject, stmt, signedImage)
		if err != nil {
			return nil, nil, fmt.Errorf("sign %s: %w", subject.Digest, err)
		}
		out = append(out, desc)
	}
	return out, nil, nil
}

// signDocument signs doc, a document about the image manifest, as an
// in-toto attestation: the provenance is a statement already; an SBOM is
// the predicate of one about the image.
func (p *Plan) signDocument(ctx context.Context, s *signer, store *layout.Layout, manifest ocispec.Descriptor, doc document) (ocispec.Descriptor, error) {
	stmt := doc.data
	if doc.kind.MediaType != attest.InTotoMediaType {
		var err error
		if stmt, err = sign.Statement(p.imageName(), manifest.Digest, doc.kind.PredicateType, doc.data); err != nil {
			return ocispec.Descriptor{}, err
		}
	}
	desc, err := p.writeSigned(ctx, s, store, manifest, stmt, signedDocument)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("sign %s: %w", doc.fileName, err)
	}
	return desc, nil
}

// writeSigned signs stmt, verifies the signature, and writes the bundle
// and the referrer manifest that attaches it to subject, as cosign does.
func (p *Plan) writeSigned(ctx context.Context, s *signer, store *layout.Layout, subject ocispec.Descriptor, stmt []byte, what string) (ocispec.Descriptor, error) {
	b, err := s.key.Sign(ctx, stmt)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	// A signer that made a bad signature must never publish it.
	if err := s.v.Verify(b.JSON, subject.Digest, b.PredicateType); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("the signature just made does not verify: %w", err)
	}
	desc, _, err := p.writeAttached(ctx, store, subject, attachment{
		what: "the bundle", artifactType: sign.BundleMediaType, mediaType: sign.BundleMediaType, data: b.JSON,
		annotations: map[string]string{
			sign.AnnotationContent:       sign.ContentDSSE,
			sign.AnnotationPredicateType: b.PredicateType,
			AnnotationSigned:             what,
		},
	})
	return desc, err
}
