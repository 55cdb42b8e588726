package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/internal/regular"
	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
)

// The PEM block types of the key files LoadKey reads: cosign's encrypted
// keys (the first from cosign v2.4 on, the second from older releases),
// PKCS#8 and SEC 1.
const (
	sigstoreEncrypted = "ENCRYPTED SIGSTORE PRIVATE KEY"
	cosignEncrypted   = "ENCRYPTED COSIGN PRIVATE KEY"
	pkcs8             = "PRIVATE KEY"
	sec1              = "EC PRIVATE KEY"
)

// maxKeyFile bounds what LoadKey reads: a key file is a few hundred bytes.
const maxKeyFile = 64 << 10

// Key is a private key loaded for signing, and its public half.
type Key struct {
	signer crypto.Signer
	// Path is the file it came from, for messages; Mode is that file's.
	Path string
	Mode fs.FileMode
}

// Password returns the password of an encrypted key. LoadKey calls it
// only for an encrypted key, at most once.
type Password func() ([]byte, error)

// LoadKey reads the private key in path: an encrypted cosign key, opened
// with password, or an unencrypted PKCS#8 or SEC 1 PEM key. The key must
// be ECDSA P-256 or Ed25519, the types cosign verifies as krust signs.
// Errors name the file and wrap ErrNotAKey, ErrNoPassword,
// ErrWrongPassword or ErrUnsupportedKey; none holds key material.
func LoadKey(path string, password Password) (*Key, error) {
	data, info, err := readKeyFile(path, "signing key")
	if err != nil {
		return nil, err
	}
	k, err := ParseKey(data, password)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	k.Path, k.Mode = path, info.Mode()
	return k, nil
}

// ParseKey is LoadKey of a file's contents.
func ParseKey(data []byte, password Password) (*Key, error) {
	block, rest := pem.Decode(data)
	for block != nil && block.Type == "EC PARAMETERS" { // openssl ecparam -genkey writes it first
		block, rest = pem.Decode(rest)
	}
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block (want a key from `cosign generate-key-pair`, or a PKCS#8 PEM key)", ErrNotAKey)
	}
	if _, ok := block.Headers["DEK-Info"]; ok {
		return nil, fmt.Errorf("%w: a key encrypted by OpenSSL's older PEM scheme: convert it with `cosign import-key-pair --key FILE`, or to unencrypted PKCS#8", ErrNotAKey)
	}
	der := block.Bytes
	switch block.Type {
	case sigstoreEncrypted, cosignEncrypted:
		if password == nil {
			return nil, ErrNoPassword
		}
		pass, err := password()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNoPassword, err)
		}
		if der, err = encrypted.Decrypt(block.Bytes, pass); err != nil {
			// The library's message says no more than this.
			return nil, fmt.Errorf("%w (or the file is damaged)", ErrWrongPassword)
		}
	case pkcs8, sec1:
	default:
		return nil, fmt.Errorf("%w: a PEM block of type %q (want %q, %q, %q or %q)", ErrNotAKey, block.Type, sigstoreEncrypted, cosignEncrypted, pkcs8, sec1)
	}
	return parsePrivate(block.Type, der)
}

// parsePrivate reads the DER of a private key and checks its type.
func parsePrivate(pemType string, der []byte) (*Key, error) {
	var (
		priv any
		err  error
	)
	if pemType == sec1 {
		priv, err = x509.ParseECPrivateKey(der)
	} else {
		priv, err = x509.ParsePKCS8PrivateKey(der)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: the key does not parse", ErrNotAKey, pemType)
	}
	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: ECDSA on %s (want ECDSA P-256 or Ed25519, as `cosign generate-key-pair` makes)", ErrUnsupportedKey, k.Curve.Params().Name)
		}
		return &Key{signer: k}, nil
	case ed25519.PrivateKey:
		return &Key{signer: k}, nil
	default:
		return nil, fmt.Errorf("%w: %T (want ECDSA P-256 or Ed25519, as `cosign generate-key-pair` makes)", ErrUnsupportedKey, priv)
	}
}

// Public returns the public half of k.
func (k *Key) Public() crypto.PublicKey { return k.signer.Public() }

// PublicPEM returns the public key as cosign writes cosign.pub: a PKIX
// "PUBLIC KEY" PEM block.
func (k *Key) PublicPEM() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		return nil, fmt.Errorf("encode the public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// OthersCanRead reports whether the key's file can be read by users other
// than its owner (a group or everyone).
func (k *Key) OthersCanRead() bool { return k.Mode.Perm()&0o077 != 0 }

// LoadPublicKey reads a PKIX "PUBLIC KEY" PEM file, as cosign writes
// cosign.pub: ECDSA P-256 or Ed25519.
func LoadPublicKey(path string) (crypto.PublicKey, error) {
	data, _, err := readKeyFile(path, "public key")
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("public key %s: %w: want a PUBLIC KEY PEM block, as cosign.pub holds", path, ErrNotAKey)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key %s: %w: the key does not parse", path, ErrNotAKey)
	}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("public key %s: %w: ECDSA on %s (want ECDSA P-256 or Ed25519)", path, ErrUnsupportedKey, k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
	default:
		return nil, fmt.Errorf("public key %s: %w: %T (want ECDSA P-256 or Ed25519)", path, ErrUnsupportedKey, pub)
	}
	return pub, nil
}

// readKeyFile reads the key file path, a regular file of at most
// maxKeyFile bytes, opened without blocking; what names it in errors.
func readKeyFile(path, what string) ([]byte, fs.FileInfo, error) {
	f, info, err := regular.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: read %s: %w", what, path, err)
	}
	if len(data) > maxKeyFile {
		return nil, nil, fmt.Errorf("%s %s: %w: over %d bytes", what, path, ErrNotAKey, maxKeyFile)
	}
	return data, info, nil
}

// PasswordVariable holds the password of an encrypted key, as for cosign.
const PasswordVariable = "COSIGN_PASSWORD"

// WithoutPassword returns env without PasswordVariable: the environment
// of the programs a build runs (cargo, git), which a build script, a hook
// or option_env! could otherwise read the password from.
func WithoutPassword(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, PasswordVariable+"=") })
}
