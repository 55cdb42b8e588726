// Package remote pulls base images into an OCI layout and pushes images
// from it to registries, with oras-go, the user's credentials, TLS checked
// by default and retries against flaky registries (one budget:
// RetryPolicy). Progress goes out as events (Options.Progress) for the
// caller to show; notes for people (a retry, a host without TLS) go to
// Options.Log.
package remote

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/internal/dockerhub"
	"oras.land/oras-go/v2/registry"
	orasremote "oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// Options configures a Client. The zero value talks TLS-verified HTTPS,
// anonymously, and prints nothing.
type Options struct {
	// Credential returns the credential for a registry host; nil means
	// anonymous access.
	Credential auth.CredentialFunc
	// Insecure reports whether host may be reached over plain HTTP or with
	// unverified TLS; nil means no host may.
	Insecure func(host string) bool
	// CertDirs are directories laid out like Docker's certs.d
	// (DIR/HOST/*.crt): extra CAs to trust for that host.
	CertDirs []string
	// Log receives notes for people: a host that does not speak TLS, a
	// step tried again and why; nil discards them.
	Log io.Writer
	// Progress receives the steps of each push and pull as they happen,
	// for the caller to show; nil shows nothing. It is called one event at
	// a time, never concurrently, so it must return quickly.
	Progress func(Event)
	// Debug receives one line per HTTP request (method, URL, status), never
	// headers or bodies; nil discards it.
	Debug io.Writer
	// Retry is the retry budget (see RetryPolicy); zero fields take its
	// defaults.
	Retry RetryPolicy
	// UserAgent is sent with every request.
	UserAgent string
	// Timeout bounds each pull, push or check, retries included, so a
	// registry that stalls fails it clearly; zero means 10 minutes.
	Timeout time.Duration
}

// Client talks to registries. It is safe for concurrent use.
type Client struct {
	opts  Options
	cache auth.Cache
	mu    sync.Mutex
	plain map[string]bool // scheme decisions by host

	tmu        sync.Mutex
	transports map[string]http.RoundTripper // by host

	shown sync.Mutex // held while Options.Progress runs
}

// New returns a Client.
func New(opts Options) *Client {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	opts.Retry = opts.Retry.withDefaults()
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Minute
	}
	return &Client{opts: opts, cache: auth.NewCache(), plain: map[string]bool{}, transports: map[string]http.RoundTripper{}}
}

// Repository returns the repository named, ready to use.
func (c *Client) Repository(ctx context.Context, named reference.Named) (*orasremote.Repository, error) {
	host := registryHost(reference.Domain(named))
	transport, err := c.transport(host)
	if err != nil {
		return nil, err
	}
	repo := &orasremote.Repository{
		Reference: registry.Reference{Registry: host, Repository: reference.Path(named)},
		// Where the registry has no referrers API, oras-go keeps each
		// subject's referrers in an index tagged sha256-<hex> and, by
		// default, deletes the index it replaces, by digest. We keep it:
		// distribution refuses deletes unless configured to allow them
		// (405), which would fail a push whose referrers are in place,
		// and a delete by digest also removes whatever other tag names
		// the same index, another pusher's included. The old index is
		// left untagged, for the registry's own garbage collection.
		SkipReferrersGC: true,
		Client: &auth.Client{
			Client:     &http.Client{Transport: c.opts.Retry.retryTransport(transport)},
			Header:     http.Header{"User-Agent": {c.userAgent()}},
			Credential: c.opts.Credential,
			Cache:      c.cache,
		},
	}
	repo.PlainHTTP, err = c.usePlainHTTP(ctx, host, transport)
	return repo, err
}

func (c *Client) userAgent() string {
	if c.opts.UserAgent == "" {
		return "docker-krust"
	}
	return c.opts.UserAgent
}

// registryHost maps Docker Hub's name to the host that serves its API, and
// any host to lower case: host names are not case-sensitive, and every
// use of the host (loopback, insecure registries, certs.d, credentials)
// then sees one form of it.
func registryHost(domain string) string {
	return dockerhub.RegistryHost(strings.ToLower(domain))
}

// insecure reports whether host may skip TLS verification.
func (c *Client) insecure(host string) bool {
	return c.opts.Insecure != nil && c.opts.Insecure(host)
}

// usePlainHTTP decides, once per host, whether to speak plain HTTP: only
// for an insecure or loopback host, and only when it does not speak TLS.
func (c *Client) usePlainHTTP(ctx context.Context, host string, transport http.RoundTripper) (bool, error) {
	if !c.insecure(host) && !isLoopback(host) {
		return false, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if plain, ok := c.plain[host]; ok {
		return plain, nil
	}
	plain := !speaksTLS(ctx, host, transport)
	c.plain[host] = plain
	if plain {
		fmt.Fprintf(c.opts.Log, "%s does not speak TLS; using plain HTTP\n", host)
	}
	return plain, nil
}

// speaksTLS asks host for /v2/ over HTTPS. Only an answer that is not TLS
// counts as no: any other failure is left to the real requests to report.
func speaksTLS(ctx context.Context, host string, transport http.RoundTripper) bool {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+host+"/v2/", nil)
	if err != nil {
		return true
	}
	resp, err := (&http.Client{Transport: transport}).Do(req)
	if err == nil {
		resp.Body.Close()
		return true
	}
	var recordErr tls.RecordHeaderError
	return !errors.Is(err, http.ErrSchemeMismatch) && !errors.As(err, &recordErr)
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	if strings.EqualFold(name, "localhost") {
		return true
	}
	ip := net.ParseIP(name)
	return ip != nil && ip.IsLoopback()
}

// bounded limits ctx to Options.Timeout. The returned function turns an
// error caused by that limit into one that says so and how to raise it.
func (c *Client) bounded(ctx context.Context, what string) (context.Context, func(error) error) {
	limited, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	return limited, func(err error) error {
		defer cancel()
		if err != nil && ctx.Err() == nil && errors.Is(limited.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%s: %w after %v, the timeout: %w", what, ErrTimeout, c.opts.Timeout, err)
		}
		return err
	}
}
