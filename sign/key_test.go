package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
)

const testPassword = "pa$$word with spaces"

// pkcs8PEM encodes priv as an unencrypted PKCS#8 PEM block.
func pkcs8PEM(t *testing.T, priv crypto.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pkcs8, Bytes: der})
}

// encryptedPEM encrypts priv as cosign's key files hold it.
func encryptedPEM(t *testing.T, pemType string, priv crypto.PrivateKey, password string) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := encrypted.Encrypt(der, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: sealed})
}

func newECDSA(t *testing.T, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func passwordOf(s string) Password { return func() ([]byte, error) { return []byte(s), nil } }

func TestParseKey(t *testing.T) {
	p256 := newECDSA(t, elliptic.P256())
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sec1DER, err := x509.MarshalECPrivateKey(p256)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(p256.Public())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		data     []byte
		password Password
		want     crypto.PublicKey
		err      error
	}{
		{"cosign v2.4+ encrypted", encryptedPEM(t, sigstoreEncrypted, p256, testPassword), passwordOf(testPassword), p256.Public(), nil},
		{"older cosign encrypted", encryptedPEM(t, cosignEncrypted, ed, testPassword), passwordOf(testPassword), ed.Public(), nil},
		{"empty password", encryptedPEM(t, sigstoreEncrypted, p256, ""), passwordOf(""), p256.Public(), nil},
		{"wrong password", encryptedPEM(t, sigstoreEncrypted, p256, testPassword), passwordOf("nope"), nil, ErrWrongPassword},
		{"no password", encryptedPEM(t, sigstoreEncrypted, p256, testPassword), nil, nil, ErrNoPassword},
		{"password refused", encryptedPEM(t, sigstoreEncrypted, p256, testPassword), func() ([]byte, error) { return nil, errors.New("no terminal") }, nil, ErrNoPassword},
		{"PKCS#8 P-256", pkcs8PEM(t, p256), nil, p256.Public(), nil},
		{"PKCS#8 Ed25519", pkcs8PEM(t, ed), nil, ed.Public(), nil},
		{"SEC 1 P-256", pem.EncodeToMemory(&pem.Block{Type: sec1, Bytes: sec1DER}), nil, p256.Public(), nil},
		{"SEC 1 after EC PARAMETERS", append(pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}}),
			pem.EncodeToMemory(&pem.Block{Type: sec1, Bytes: sec1DER})...), nil, p256.Public(), nil},
		{"OpenSSL-encrypted PEM", pem.EncodeToMemory(&pem.Block{Type: sec1, Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}, Bytes: []byte{1}}), nil, nil, ErrNotAKey},
		{"P-384", pkcs8PEM(t, newECDSA(t, elliptic.P384())), nil, nil, ErrUnsupportedKey},
		{"RSA", pkcs8PEM(t, rsaKey), nil, nil, ErrUnsupportedKey},
		{"encrypted P-384", encryptedPEM(t, sigstoreEncrypted, newECDSA(t, elliptic.P384()), ""), passwordOf(""), nil, ErrUnsupportedKey},
		{"a public key", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), nil, nil, ErrNotAKey},
		{"no PEM", []byte("hello\n"), nil, nil, ErrNotAKey},
		{"damaged DER", pem.EncodeToMemory(&pem.Block{Type: pkcs8, Bytes: []byte{0x30, 0x03, 1, 2, 3}}), nil, nil, ErrNotAKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKey(tt.data, tt.password)
			if !errors.Is(err, tt.err) {
				t.Fatalf("ParseKey: %v, want %v", err, tt.err)
			}
			if err != nil {
				if strings.Contains(err.Error(), testPassword) || strings.Contains(err.Error(), "nope") {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if got := k.Public(); !got.(interface{ Equal(crypto.PublicKey) bool }).Equal(tt.want) {
				t.Errorf("public key %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoadKeyFiles(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "cosign.key")
	if err := os.WriteFile(key, pkcs8PEM(t, newECDSA(t, elliptic.P256())), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKey(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if k.OthersCanRead() || k.Path != key {
		t.Errorf("a 0600 key: OthersCanRead %v, Path %q", k.OthersCanRead(), k.Path)
	}
	if err := os.Chmod(key, 0o640); err != nil {
		t.Fatal(err)
	}
	if k, err = LoadKey(key, nil); err != nil || !k.OthersCanRead() {
		t.Errorf("a 0640 key: OthersCanRead %v, %v", k != nil && k.OthersCanRead(), err)
	}
	pub, err := k.PublicPEM()
	if err != nil || !strings.HasPrefix(string(pub), "-----BEGIN PUBLIC KEY-----\n") {
		t.Errorf("PublicPEM: %q, %v", pub, err)
	}

	fifo := filepath.Join(dir, "fifo.key")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.key")
	if err := os.WriteFile(big, make([]byte, maxKeyFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, dir, big, filepath.Join(dir, "missing.key")} {
		_, err := LoadKey(path, nil)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("LoadKey(%s): %v, want an error naming the file", path, err)
		}
	}
}
