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
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry/remote/errcode"
	"oras.land/oras-go/v2/registry/remote/retry"
)

// RetryPolicy is remote's one retry budget. There are two levels and no
// third:
//
//   - Each HTTP request is tried up to RequestTries times, by oras-go's
//     retry transport, while it fails for a reason that may pass: 5xx,
//     429, 408, a reset connection, an unexpected EOF, a dial timeout. The
//     waits are 0.25 s doubling (±10 %), within requestMinWait and
//     requestMaxWait.
//   - Each step on one blob (check that the registry has it, mount,
//     upload, download, tag) is tried up to BlobTries times while it still
//     fails for such a reason, or because its bytes arrived cut off or
//     damaged, waiting blobWait, doubling. The HTTP layer cannot replay a
//     streamed body, so this is where a cut upload or download is read
//     again from its source.
//
// Nothing else is retried: not a whole push or pull, and never a blob
// of the local store whose bytes are wrong (it reads the same every
// time). With the defaults a registry answering 503 to everything is
// given up on after 3 × 4 = 12 requests, about 7 s.
type RetryPolicy struct {
	// RequestTries is how often one HTTP request is tried in all; zero
	// means 4.
	RequestTries int
	// BlobTries is how often one step on a blob is tried in all; zero
	// means 3.
	BlobTries int
}

const (
	defaultRequestTries = 4
	defaultBlobTries    = 3
	requestMinWait      = 200 * time.Millisecond
	requestMaxWait      = 2 * time.Second
	blobWait            = 500 * time.Millisecond
)

// withDefaults fills in the zero fields.
func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.RequestTries <= 0 {
		p.RequestTries = defaultRequestTries
	}
	if p.BlobTries <= 0 {
		p.BlobTries = defaultBlobTries
	}
	return p
}

// retryTransport retries each request under the policy's request level.
func (p RetryPolicy) retryTransport(base http.RoundTripper) http.RoundTripper {
	t := retry.NewTransport(base)
	t.Policy = func() retry.Policy {
		return &retry.GenericPolicy{
			Retryable: retry.DefaultPredicate,
			Backoff:   retry.DefaultBackoff,
			MinWait:   requestMinWait,
			MaxWait:   requestMaxWait,
			MaxRetry:  p.RequestTries - 1,
		}
	}
	return t
}

// retryBlob runs step (named for the log, e.g. "upload") on desc until it
// succeeds, fails for good, or has been tried BlobTries times. try counts
// from 1, so that step knows when to read its source again.
func (c *Client) retryBlob(ctx context.Context, step string, desc ocispec.Descriptor, fn func(try int) error) error {
	wait := blobWait
	tries := c.opts.Retry.BlobTries
	for try := 1; ; try++ {
		err := fn(try)
		if err == nil || try >= tries || !transient(err) {
			return err
		}
		fmt.Fprintf(c.opts.Log, "%s of %s failed, trying again in %v (%d of %d): %v\n",
			step, blobName(desc), wait, try+1, tries, redact(err))
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

// sleep waits d, or less when ctx ends first; it reports whether it
// waited the whole time.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
