package testregistry

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// tlsFiles are the PEM files written by writeTLSFiles.
type tlsFiles struct {
	caFile   string // CA certificate clients should trust
	certFile string // server certificate, signed by the CA
	keyFile  string // server private key
}

// writeTLSFiles creates a CA and a server certificate for 127.0.0.1 and
// localhost signed by it. The CA goes to certDir/ca.crt (the layout of
// docker's certs.d and skopeo's --dest-cert-dir), the server pair to tlsDir.
func writeTLSFiles(certDir, tlsDir string) (tlsFiles, error) {
	files := tlsFiles{
		caFile:   filepath.Join(certDir, "ca.crt"),
		certFile: filepath.Join(tlsDir, "server.crt"),
		keyFile:  filepath.Join(tlsDir, "server.key"),
	}
	for _, dir := range []string{certDir, tlsDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return files, fmt.Errorf("create TLS directory: %w", err)
		}
	}
	ca, caKey, caDER, err := newCA()
	if err != nil {
		return files, err
	}
	leafDER, leafKey, err := newServerCert(ca, caKey)
	if err != nil {
		return files, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		return files, fmt.Errorf("marshal server key: %w", err)
	}
	if err := writePEM(files.caFile, "CERTIFICATE", caDER, 0o644); err != nil {
		return files, err
	}
	if err := writePEM(files.certFile, "CERTIFICATE", leafDER, 0o644); err != nil {
		return files, err
	}
	return files, writePEM(files.keyFile, "PRIVATE KEY", keyDER, 0o600)
}

// newCA returns a self-signed CA certificate, its key and its DER form.
func newCA() (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("generate CA key: %w", err)
	}
	tmpl, err := certTemplate("docker-krust testregistry CA")
	if err != nil {
		return nil, nil, nil, err
	}
	tmpl.IsCA = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("create CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("parse CA certificate: %w", err)
	}
	return ca, key, der, nil
}

// newServerCert returns a server certificate for 127.0.0.1 and localhost
// signed by ca, and its key.
func newServerCert(ca *x509.Certificate, caKey *ecdsa.PrivateKey) ([]byte, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate server key: %w", err)
	}
	tmpl, err := certTemplate("localhost")
	if err != nil {
		return nil, nil, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	tmpl.DNSNames = []string{"localhost"}
	tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("create server certificate: %w", err)
	}
	return der, key, nil
}

// certTemplate returns the fields common to the CA and server certificates.
func certTemplate(commonName string) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("generate certificate serial: %w", err)
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"docker-krust tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(48 * time.Hour),
		BasicConstraintsValid: true,
	}, nil
}

// writePEM writes one PEM block to path.
func writePEM(path, blockType string, der []byte, perm os.FileMode) error {
	data := pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
	if err := os.WriteFile(path, data, perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
