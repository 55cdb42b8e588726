package remote

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
)

// untrustedError is a registry whose TLS certificate is not trusted. It
// says where krust looked for the registry's CA: the certs.d directories
// it reads (Options.CertDirs), so that the fix names the right one.
type untrustedError struct {
	// caFiles are where a CA for the host is read from, one per certs.d
	// directory: DIR/HOST/ca.crt (any *.crt there is read).
	caFiles []string
	err     error
}

func (e *untrustedError) Error() string { return e.err.Error() }
func (e *untrustedError) Unwrap() error { return e.err }

// trustTransport makes a TLS verification failure an untrustedError.
type trustTransport struct {
	base     http.RoundTripper
	host     string
	certDirs []string
}

func (t *trustTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	if err != nil && (errors.As(err, &unknownAuthority) || errors.As(err, &hostname)) {
		files := make([]string, len(t.certDirs))
		for i, dir := range t.certDirs {
			files[i] = filepath.Join(dir, hostDir(t.host), "ca.crt")
		}
		err = &untrustedError{caFiles: files, err: err}
	}
	return resp, err
}

// fix says where to put the registry's CA: the first certs.d file (the
// Docker config's), the others, or the system's CAs and SSL_CERT_FILE
// that Go reads besides.
func (e *untrustedError) fix() string {
	switch len(e.caFiles) {
	case 0:
		return "add its CA to the system's or SSL_CERT_FILE"
	case 1:
		return fmt.Sprintf("put its CA in %s or SSL_CERT_FILE", e.caFiles[0])
	}
	return fmt.Sprintf("put its CA in %s (or %s) or SSL_CERT_FILE", e.caFiles[0], strings.Join(e.caFiles[1:], ", "))
}
