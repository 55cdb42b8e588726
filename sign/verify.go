package sign

import (
	"crypto"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	digest "github.com/opencontainers/go-digest"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"
)

// Verifier checks bundles against one public key, offline, as cosign
// verify --key with --insecure-ignore-tlog does: the signature must
// verify, and no log entry or timestamp is asked for.
type Verifier struct {
	v   *verify.Verifier
	key signature.Verifier
}

// NewVerifier returns a Verifier of signatures made with pub's private
// key (ECDSA with SHA-256, or Ed25519).
func NewVerifier(pub crypto.PublicKey) (*Verifier, error) {
	sv, err := signature.LoadVerifier(pub, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupportedKey, err)
	}
	key := root.NewExpiringKey(sv, time.Time{}, time.Time{})
	trusted := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) { return key, nil })
	v, err := verify.NewVerifier(trusted, verify.WithNoObserverTimestamps())
	if err != nil {
		return nil, fmt.Errorf("set up the verifier: %w", err)
	}
	return &Verifier{v: v, key: sv}, nil
}

// Verify checks that bundle is a DSSE envelope signed by the Verifier's
// key, holding an in-toto statement about d of predicateType. Errors
// wrap ErrNotVerified.
func (v *Verifier) Verify(bundle []byte, d digest.Digest, predicateType string) error {
	var b sgbundle.Bundle
	if err := b.UnmarshalJSON(bundle); err != nil {
		return fmt.Errorf("%w: not a Sigstore bundle: %w", ErrNotVerified, err)
	}
	env := b.GetDsseEnvelope()
	if env == nil {
		return fmt.Errorf("%w: the bundle holds no DSSE envelope", ErrNotVerified)
	}
	sum, err := hex.DecodeString(d.Encoded())
	if err != nil || d.Algorithm() != digest.SHA256 {
		return fmt.Errorf("%w: %s is not a sha256 digest", ErrNotVerified, d)
	}
	if _, err := v.v.Verify(&b, verify.NewPolicy(verify.WithArtifactDigest("sha256", sum), verify.WithKey())); err != nil {
		return fmt.Errorf("%w: %w", ErrNotVerified, err)
	}
	got, digests, err := statementAbout(env.GetPayload())
	if err != nil {
		return err
	}
	if got != predicateType {
		return fmt.Errorf("%w: a statement of %s, want %s", ErrNotVerified, got, predicateType)
	}
	if !slices.Contains(digests, d) {
		return fmt.Errorf("%w: the statement is not about %s", ErrNotVerified, d)
	}
	return nil
}
