package remote

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/docker-krust/docker-krust/layout"
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
	switch {
	case errors.Is(err, auth.ErrBasicCredentialNotFound):
		return fmt.Errorf("%w\nregistry %s wants credentials and none were found: log in with `docker login %s`, or set [registries.%q] username and password in the krust config", err, host, host, host)
	case errors.As(err, &resp) && resp.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("%w\nregistry %s refused the credentials (401 Unauthorized): log in with `docker login %s`, or set [registries.%q] username and password in the krust config", err, host, host, host)
	case errors.As(err, &resp) && resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%w\nregistry %s denied access (403 Forbidden): the account lacks permission for %s", err, host, repo.Reference.Repository)
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname):
		return fmt.Errorf("%w\nthe TLS certificate of %s is not trusted: put its CA in ~/.docker/certs.d/%s/ca.crt or SSL_CERT_FILE, or allow the host with --insecure-registry %s", err, host, host, host)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w\ncannot reach registry %s: is it running, and is the host name and port right?", err, host)
	}
	return err
}

// explainLayout adds what to do next to an error reading store's own files
// during a push: retrying cannot help, the layout must be repaired.
func explainLayout(err error, store *layout.Layout) error {
	switch {
	case errors.Is(err, layout.ErrCorruptBlob):
		return fmt.Errorf("%w\nthe layout %s is damaged, so nothing was retried: build the image again into it "+
			"(krust build rewrites damaged blobs), or delete %s and build again", err, store.Dir(), store.Dir())
	case errors.Is(err, layout.ErrNotRegular), errors.Is(err, layout.ErrOutsideLayout):
		return fmt.Errorf("%w\nthe layout %s cannot be pushed as it is: repair it as said, or delete it and build again", err, store.Dir())
	}
	return err
}

// withAttempts runs fn up to Attempts times while it fails for a reason
// that may pass, waiting longer each time.
func (c *Client) withAttempts(ctx context.Context, fn func() error) error {
	wait := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt >= c.opts.Attempts || !transient(err) {
			return err
		}
		fmt.Fprintf(c.opts.Log, "attempt %d of %d failed, retrying in %v: %v\n", attempt, c.opts.Attempts, wait, redact(err))
		if !sleep(ctx, wait) {
			return err
		}
		wait *= 2
	}
}

// transient reports whether err may pass on another try: network
// failures, server errors, throttling, and content that arrived damaged.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	// A damaged or unreadable file in the layout reads the same way every
	// time; only content that arrived damaged over the network may pass.
	if errors.Is(err, layout.ErrCorruptBlob) || errors.Is(err, layout.ErrNotRegular) || errors.Is(err, layout.ErrOutsideLayout) {
		return false
	}
	var resp *errcode.ErrorResponse
	if errors.As(err, &resp) {
		return resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout
	}
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var certInvalid x509.CertificateInvalidError
	var tlsRecord tls.RecordHeaderError
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &certInvalid) || errors.As(err, &tlsRecord) {
		return false
	}
	var opErr *net.OpError
	var netErr net.Error
	return errors.As(err, &opErr) || (errors.As(err, &netErr) && netErr.Timeout()) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, content.ErrMismatchedDigest) || errors.Is(err, content.ErrTrailingData) ||
		errors.Is(err, layout.ErrDigestMismatch)
}
