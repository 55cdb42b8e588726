package sign

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
)

// keypair is a Key as sigstore-go's signer takes it (sign.Keypair).
// ECDSA P-256 signs the SHA-256 of the data, ASN.1 encoded; Ed25519 signs
// the data itself (pure Ed25519), which is what cosign's verifier of an
// Ed25519 public key checks. Both are deterministic (see signECDSA).
type keypair struct{ k *Key }

func (p keypair) ecdsa() bool {
	_, ok := p.k.signer.(*ecdsa.PrivateKey)
	return ok
}

func (p keypair) GetHashAlgorithm() protocommon.HashAlgorithm {
	if p.ecdsa() {
		return protocommon.HashAlgorithm_SHA2_256
	}
	return protocommon.HashAlgorithm_SHA2_512
}

func (p keypair) GetSigningAlgorithm() protocommon.PublicKeyDetails {
	if p.ecdsa() {
		return protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256
	}
	return protocommon.PublicKeyDetails_PKIX_ED25519
}

// GetHint is what cosign writes as the bundle's public key hint: the
// base64 SHA-256 of the PKIX public key.
func (p keypair) GetHint() []byte { return []byte(p.k.Hint()) }

// Hint names k's public key: the base64 SHA-256 of its PKIX encoding, as
// cosign's bundles name a key.
func (k *Key) Hint() string {
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func (p keypair) GetKeyAlgorithm() string {
	if p.ecdsa() {
		return "ECDSA"
	}
	return "ED25519"
}

func (p keypair) GetPublicKey() crypto.PublicKey { return p.k.Public() }

func (p keypair) GetPublicKeyPem() (string, error) {
	data, err := p.k.PublicPEM()
	return string(data), err
}

// SignData signs data and returns the signature and the digest signed.
func (p keypair) SignData(_ context.Context, data []byte) ([]byte, []byte, error) {
	switch priv := p.k.signer.(type) {
	case *ecdsa.PrivateKey:
		sum := sha256.Sum256(data)
		sig, err := signECDSA(priv, sum[:])
		if err != nil {
			return nil, nil, err
		}
		return sig, sum[:], nil
	case ed25519.PrivateKey:
		return ed25519.Sign(priv, data), data, nil
	default:
		return nil, nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, priv)
	}
}

// signECDSA signs the SHA-256 digest with priv, deterministically (RFC
// 6979: the nonce derives from the key and the digest), so that the same
// build signs with the same bytes: a rebuild's bundle is the one already
// attached, in the layout and in the registry, instead of one more.
func signECDSA(priv *ecdsa.PrivateKey, digest []byte) ([]byte, error) {
	sig, err := priv.Sign(nil, digest, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return sig, nil
}
