package testregistry

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// shutdownTimeout bounds how long Close waits for in-flight requests.
const shutdownTimeout = 5 * time.Second

// Proxy is a plain-HTTP reverse proxy on 127.0.0.1 in front of a registry.
// It records every request and injects the faults its Fault plan asks for.
// Location headers (and WWW-Authenticate realms) pointing at the upstream are
// rewritten to point at the proxy, so clients never bypass it.
type Proxy struct {
	Host string // "127.0.0.1:PORT"; clients talk plain HTTP to it

	upstream  *url.URL
	transport *http.Transport
	rp        *httputil.ReverseProxy
	server    *http.Server
	serveDone chan struct{} // closed when Serve has returned
	closed    chan struct{} // closed by Close; releases stalled requests
	closeOnce sync.Once

	mu       sync.Mutex
	fault    Fault
	requests []Request
	inFlight int // handlers not yet returned
}

// Request is what the proxy recorded about one request.
type Request struct {
	Method string
	Path   string // URL path, without the query
	Status int    // status sent to the client (recorded before it is sent); 0 if none (reset, stall) or not yet
	Fault  string // the fault injected, FaultNone if forwarded unchanged
	Error  string // why forwarding to the upstream failed, if it did
}

// requestInfo travels in the forwarded request's context.
type requestInfo struct {
	index int    // into Proxy.requests
	fault string // FaultNone, FaultTruncate or FaultCorrupt
}

// requestInfoKey is the context key of requestInfo.
type requestInfoKey struct{}

// StartProxy starts a proxy in front of upstream ("http://HOST" or
// "https://HOST"); with https it trusts caFile (the system roots if caFile is
// ""). fault may be nil to forward everything. The test's cleanup closes it.
func StartProxy(t testing.TB, upstream, caFile string, fault Fault) *Proxy {
	t.Helper()
	p, err := newProxy(upstream, caFile, fault)
	if err != nil {
		t.Fatalf("testregistry: start proxy for %s: %v", upstream, err)
	}
	t.Cleanup(p.Close)
	return p
}

// newProxy builds a proxy and starts serving.
func newProxy(upstream, caFile string, fault Fault) (*Proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("parse upstream: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("upstream %q is not http://HOST or https://HOST", upstream)
	}
	transport, err := upstreamTransport(u.Scheme, caFile)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	p := &Proxy{
		Host:      l.Addr().String(),
		upstream:  u,
		transport: transport,
		serveDone: make(chan struct{}),
		closed:    make(chan struct{}),
		fault:     fault,
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite:        func(pr *httputil.ProxyRequest) { pr.SetURL(u) },
		Transport:      transport,
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.proxyError,
		ErrorLog:       log.New(io.Discard, "", 0), // faults are in Requests
	}
	p.server = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 30 * time.Second}
	go func() {
		defer close(p.serveDone)
		_ = p.server.Serve(l) // returns ErrServerClosed after Close
	}()
	return p, nil
}

// upstreamTransport returns a transport to the upstream that ignores proxy
// environment variables, does not add compression, and trusts caFile.
func upstreamTransport(scheme, caFile string) (*http.Transport, error) {
	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		DisableCompression:  true,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	}
	if scheme == "https" && caFile != "" {
		pool, err := certPool(caFile)
		if err != nil {
			return nil, err
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	return transport, nil
}

// URL returns "http://HOST".
func (p *Proxy) URL() string {
	return "http://" + p.Host
}

// SetFault replaces the fault plan; nil forwards everything. Request numbers
// keep counting from where they were.
func (p *Proxy) SetFault(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault = f
}

// Requests returns a copy of the requests received so far, in order of
// arrival (the i-th has n = i+1). Requests not yet answered have Status 0.
func (p *Proxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.requests)
}

// Count returns how many requests with this method and a path containing
// pathContains were forwarded with no fault injected (whatever the upstream
// answered). For example Count("POST", "/blobs/uploads/") counts started blob
// uploads and Count("PUT", "/blobs/uploads/") completed ones.
func (p *Proxy) Count(method, pathContains string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	count := 0
	for _, r := range p.requests {
		if r.Fault == FaultNone && r.Method == method && strings.Contains(r.Path, pathContains) {
			count++
		}
	}
	return count
}

// Close stops the proxy: stalled requests are released, and in-flight ones
// get a few seconds to finish before their connections are closed. It is
// safe to call more than once; the test's cleanup calls it too.
func (p *Proxy) Close() {
	p.closeOnce.Do(func() {
		close(p.closed)
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := p.server.Shutdown(ctx); err != nil {
			_ = p.server.Close() // the deadline passed: cut the rest off
		}
		<-p.serveDone
		p.transport.CloseIdleConnections()
	})
}
