package sign

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"

	digest "github.com/opencontainers/go-digest"
)

// cosign's legacy signature format: an image tagged sha256-HEX.sig in the
// signed image's repository, one layer per signature.
const (
	// SimpleSigningMediaType is the media type of a legacy signature's
	// layer: the signed payload itself.
	SimpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	// AnnotationSignature holds the layer's signature, base64.
	AnnotationSignature = "dev.cosignproject.cosign/signature"
	// simpleSigningType is the payload's critical.type.
	simpleSigningType = "cosign container image signature"
)

// SignatureTag is the tag of the legacy signatures of the image d:
// sha256-HEX.sig.
func SignatureTag(d digest.Digest) string {
	return d.Algorithm().String() + "-" + d.Encoded() + ".sig"
}

// simpleSigning is cosign's legacy payload, its fields in cosign's order.
type simpleSigning struct {
	Critical struct {
		Identity struct {
			DockerReference string `json:"docker-reference"`
		} `json:"identity"`
		Image struct {
			DockerManifestDigest string `json:"docker-manifest-digest"`
		} `json:"image"`
		Type string `json:"type"`
	} `json:"critical"`
	Optional map[string]string `json:"optional"`
}

// SimpleSigning is the payload cosign's legacy format signs for the image
// d: its digest, and name, which cosign does not check.
func SimpleSigning(name string, d digest.Digest) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("signature payload: %w", err)
	}
	var p simpleSigning
	p.Critical.Identity.DockerReference = name
	p.Critical.Image.DockerManifestDigest = d.String()
	p.Critical.Type = simpleSigningType
	return json.Marshal(p)
}

// SignPayload signs payload itself, as cosign's legacy format does, and
// returns the signature in base64.
func (k *Key) SignPayload(payload []byte) (string, error) {
	var sig []byte
	var err error
	switch priv := k.signer.(type) {
	case *ecdsa.PrivateKey:
		sum := sha256.Sum256(payload)
		sig, err = signECDSA(priv, sum[:])
	case ed25519.PrivateKey:
		sig = ed25519.Sign(priv, payload)
	default:
		err = fmt.Errorf("%w: %T", ErrUnsupportedKey, priv)
	}
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// VerifyPayload checks a legacy signature: sig (base64) of payload by the
// Verifier's key, and a payload about the image d.
func (v *Verifier) VerifyPayload(payload []byte, sig string, d digest.Digest) error {
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return fmt.Errorf("%w: the signature is not base64", ErrNotVerified)
	}
	if err := v.key.VerifySignature(bytes.NewReader(raw), bytes.NewReader(payload)); err != nil {
		return fmt.Errorf("%w: %w", ErrNotVerified, err)
	}
	var p simpleSigning
	if err := json.Unmarshal(payload, &p); err != nil {
		return fmt.Errorf("%w: the payload is not cosign's: %w", ErrNotVerified, err)
	}
	if p.Critical.Type != simpleSigningType {
		return fmt.Errorf("%w: the payload is a %q, not a %q", ErrNotVerified, p.Critical.Type, simpleSigningType)
	}
	if p.Critical.Image.DockerManifestDigest != d.String() {
		return fmt.Errorf("%w: the signature is of %s, not %s", ErrNotVerified, p.Critical.Image.DockerManifestDigest, d)
	}
	return nil
}

// Format is how image signatures are written.
type Format string

// The formats.
const (
	// BundleFormat writes Sigstore bundles as OCI 1.1 referrers, the
	// format cosign v3 writes and reads by default.
	BundleFormat Format = "bundle"
	// LegacyFormat writes cosign's older signature image, tagged
	// sha256-HEX.sig, which cosign v2 and admission controllers that
	// predate bundles read.
	LegacyFormat Format = "legacy"
)

// Formats lists the formats, the default first.
func Formats() []Format { return []Format{BundleFormat, LegacyFormat} }
