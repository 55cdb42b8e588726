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

// Sentinel errors of this package, for errors.Is. A registry's refusals
// come as a HostError of one of these kinds, which keeps the registry's
// own error and adds what to do next. No message names a flag: the
// command adds how its own settings change what was refused.
var (
	// ErrNoCredentials means a registry wants credentials and none were
	// found for it.
	ErrNoCredentials = errors.New("no credentials for the registry")
	// ErrCredentialsRefused means a registry refused the credentials (401).
	ErrCredentialsRefused = errors.New("credentials refused")
	// ErrDenied means a registry denied access to a repository (403).
	ErrDenied = errors.New("access denied")
	// ErrUntrusted means a registry's TLS certificate is not trusted.
	ErrUntrusted = errors.New("TLS certificate not trusted")
	// ErrUnreachable means nothing answered at the registry's address.
	ErrUnreachable = errors.New("registry unreachable")
	// ErrTimeout means a pull or push gave up at the timeout setting
	// (Options.Timeout); the error says after how long.
	ErrTimeout = errors.New("gave up")
	// ErrArtifactsRefused means a registry refused the SBOM or provenance,
	// OCI 1.1 artifacts, with 400 or 415.
	ErrArtifactsRefused = errors.New("OCI 1.1 artifacts refused")
)

// HostError is a registry's refusal: its own error, the kind of refusal
// (one of the sentinels above) and what to do next.
type HostError struct {
	// Host is the registry, e.g. "ghcr.io" or "127.0.0.1:5000".
	Host string
	// Kind is ErrNoCredentials, ErrUntrusted...; errors.Is finds it.
	Kind error
	// Err is the registry's or the transport's error.
	Err error
	// Hint says what to do next, in one line that names no flag.
	Hint string
}

func (e *HostError) Error() string   { return e.Err.Error() + "\n" + e.Hint }
func (e *HostError) Unwrap() []error { return []error{e.Err, e.Kind} }

// refused returns err as a HostError of kind, with a hint.
func refused(err error, host string, kind error, format string, args ...any) error {
	return &HostError{Host: host, Kind: kind, Err: err, Hint: fmt.Sprintf(format, args...)}
}

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
		return refused(err, host, ErrNoCredentials, "registry %s wants credentials and none were found: log in with `docker login %s`, or set [registries.%q] username and password in the krust config", host, host, host)
	case errors.As(err, &resp) && resp.StatusCode == http.StatusUnauthorized:
		return refused(err, host, ErrCredentialsRefused, "registry %s refused the credentials (401 Unauthorized): log in with `docker login %s`, or set [registries.%q] username and password in the krust config", host, host, host)
	case errors.As(err, &resp) && resp.StatusCode == http.StatusForbidden:
		return refused(err, host, ErrDenied, "registry %s denied access (403 Forbidden): the account lacks permission for %s", host, repo.Reference.Repository)
	case errors.As(err, &untrusted):
		return refused(err, host, ErrUntrusted, "the TLS certificate of %s is not trusted: %s", host, untrusted.fix())
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname):
		return refused(err, host, ErrUntrusted, "the TLS certificate of %s is not trusted: add its CA to the system's or SSL_CERT_FILE", host)
	case errors.Is(err, syscall.ECONNREFUSED):
		return refused(err, host, ErrUnreachable, "cannot reach registry %s: is it running, and is the host name and port right?", host)
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
