package remote

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"syscall"

	"github.com/docker-krust/docker-krust/layout"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	orasremote "oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// explain adds what to do next to an error from repo's registry, with
// secrets in URLs (signed storage redirects, upload state) removed.
func explain(err error, repo *orasremote.Repository) error {
	return redact(explainCause(err, repo))
}

func explainCause(err error, repo *orasremote.Repository) error {
	host := repo.Reference.Registry
	var resp *errcode.ErrorResponse
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var untrusted *untrustedError
	switch {
	case errors.Is(err, auth.ErrBasicCredentialNotFound):
		return fmt.Errorf("%w\nregistry %s wants credentials and none were found: log in with `docker login %s`, or set [registries.%q] username and password in the krust config", err, host, host, host)
	case errors.As(err, &resp) && resp.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("%w\nregistry %s refused the credentials (401 Unauthorized): log in with `docker login %s`, or set [registries.%q] username and password in the krust config", err, host, host, host)
	case errors.As(err, &resp) && resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%w\nregistry %s denied access (403 Forbidden): the account lacks permission for %s", err, host, repo.Reference.Repository)
	case errors.As(err, &untrusted):
		return fmt.Errorf("%w\nthe TLS certificate of %s is not trusted: %s, or allow the host with --insecure-registry %s", err, host, untrusted.fix(), host)
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname):
		return fmt.Errorf("%w\nthe TLS certificate of %s is not trusted: add its CA to the system's or SSL_CERT_FILE, or allow the host with --insecure-registry %s", err, host, host)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w\ncannot reach registry %s: is it running, and is the host name and port right?", err, host)
	}
	return err
}

// explainLayout adds what to do next to an error reading the source's
// own files during a push: retrying cannot help, the layout must be
// repaired. A source that is a directory (a layout) is named by it.
func explainLayout(err error, src content.ReadOnlyStorage) error {
	where := "the source store"
	if d, ok := src.(interface{ Dir() string }); ok {
		where = d.Dir()
	}
	switch {
	case errors.Is(err, layout.ErrCorruptBlob):
		return fmt.Errorf("%w\nthe layout %s is damaged, so nothing was retried: build the image again into it "+
			"(krust build rewrites damaged blobs), or delete %s and build again", err, where, where)
	case errors.Is(err, layout.ErrNotRegular), errors.Is(err, layout.ErrOutsideLayout):
		return fmt.Errorf("%w\nthe layout %s cannot be pushed as it is: repair it as said, or delete it and build again", err, where)
	}
	return err
}

// ourWords drops the layer oras.CopyGraph puts around an error (`failed to
// perform "Exists" on destination: ...`): every call it makes goes through
// our own source and destination, whose errors already name the step, the
// blob and the registry or store.
func ourWords(err error) error {
	// CopyGraph returns it as the outermost error, never wrapped.
	if copyErr, ok := err.(*oras.CopyError); ok {
		return copyErr.Err
	}
	return err
}
