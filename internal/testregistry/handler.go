package testregistry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// serve records r, then forwards it or injects the fault the plan chose.
func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	index, fault := p.begin(r)
	sw := &statusWriter{ResponseWriter: w, onStatus: func(code int) { p.setStatus(index, code) }}
	defer p.finish()
	switch fault {
	case FaultNone, FaultCorrupt:
		p.forward(sw, r, index, fault)
	case FaultTruncate:
		p.forward(sw, r, index, fault)
		// The body ended early; send what was written and drop the
		// connection so the client cannot take the response as complete.
		_ = http.NewResponseController(sw).Flush()
		panic(http.ErrAbortHandler)
	case Fault503:
		http.Error(sw, "testregistry: injected 503", http.StatusServiceUnavailable)
	case FaultReset:
		hijackAndReset(sw)
	case FaultStall:
		p.stall(r)
		hijackAndReset(sw)
	case Fault403, FaultDrop, FaultEmptyReferrers:
		lie(sw, r, fault)
	default:
		http.Error(sw, fmt.Sprintf("testregistry: unknown fault %q", fault), http.StatusInternalServerError)
	}
}

// lie answers r as fault says, without forwarding it.
func lie(w http.ResponseWriter, r *http.Request, fault string) {
	switch fault {
	case Fault403:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"errors":[{"code":"DENIED","message":"testregistry: injected 403"}]}`)
	case FaultDrop:
		h := sha256.New()
		if _, err := io.Copy(h, r.Body); err != nil {
			panic(http.ErrAbortHandler)
		}
		w.Header().Set("Docker-Content-Digest", "sha256:"+hex.EncodeToString(h.Sum(nil)))
		w.WriteHeader(http.StatusCreated)
	case FaultEmptyReferrers:
		w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
		_, _ = io.WriteString(w, `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`)
	}
}

// stall returns when the client has given up on r or the proxy is closed.
// It first reads the request body: net/http notices a client closing the
// connection (and ends r's context) only once the body has been read.
func (p *Proxy) stall(r *http.Request) {
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		return // the client went away while sending
	}
	select {
	case <-r.Context().Done():
	case <-p.closed:
	}
}

// begin records r and asks the fault plan about it; it returns the
// record's index and the fault to inject.
func (p *Proxy) begin(r *http.Request) (int, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fault := FaultNone
	if p.fault != nil {
		fault = p.fault(len(p.requests)+1, r)
	}
	p.requests = append(p.requests, Request{Method: r.Method, Path: r.URL.Path, Fault: fault})
	p.inFlight++
	return len(p.requests) - 1, fault
}

// setStatus records the status sent for the request at index.
func (p *Proxy) setStatus(index, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests[index].Status = status
}

// finish notes that a handler has returned.
func (p *Proxy) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inFlight--
}

// forward passes r to the upstream, telling modifyResponse which fault to
// apply to the response body.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, index int, fault string) {
	ctx := context.WithValue(r.Context(), requestInfoKey{}, requestInfo{index: index, fault: fault})
	p.rp.ServeHTTP(w, r.WithContext(ctx))
}

// proxyError answers 502 when the upstream could not be reached and records
// why.
func (p *Proxy) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	if info, ok := r.Context().Value(requestInfoKey{}).(requestInfo); ok {
		p.mu.Lock()
		p.requests[info.index].Error = err.Error()
		p.mu.Unlock()
	}
	http.Error(w, "testregistry proxy: "+err.Error(), http.StatusBadGateway)
}

// modifyResponse points upstream URLs in the headers at the proxy and wraps
// the body for FaultTruncate and FaultCorrupt.
func (p *Proxy) modifyResponse(resp *http.Response) error {
	p.rewriteHeaders(resp.Header)
	info, _ := resp.Request.Context().Value(requestInfoKey{}).(requestInfo)
	switch info.fault {
	case FaultTruncate:
		resp.Body = &truncatedBody{ReadCloser: resp.Body, left: max(resp.ContentLength/2, 0)}
	case FaultCorrupt:
		resp.Body = corruptBody{resp.Body}
	}
	return nil
}

// rewriteHeaders rewrites a Location pointing at the upstream, and upstream
// URLs in WWW-Authenticate challenges (a token realm), to the proxy.
func (p *Proxy) rewriteHeaders(h http.Header) {
	if loc := h.Get("Location"); loc != "" {
		h.Set("Location", p.rewriteLocation(loc))
	}
	origin := p.upstream.Scheme + "://" + p.upstream.Host
	challenges := h.Values("Www-Authenticate")
	for i, c := range challenges {
		challenges[i] = strings.ReplaceAll(c, origin, p.URL())
	}
}

// rewriteLocation returns loc with the proxy's origin if it is an absolute
// URL on the upstream, else loc unchanged (relative URLs already resolve
// against the proxy).
func (p *Proxy) rewriteLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.Scheme != p.upstream.Scheme || !strings.EqualFold(u.Host, p.upstream.Host) {
		return loc
	}
	u.Scheme, u.Host = "http", p.Host
	return u.String()
}

// hijackAndReset takes over the connection and closes it with a TCP reset,
// so the client gets no response at all.
func hijackAndReset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // cannot hijack: abort the connection instead
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // RST instead of FIN
	}
	_ = conn.Close()
}

// statusWriter reports the final status written through it to onStatus
// before the client can see it.
type statusWriter struct {
	http.ResponseWriter
	onStatus func(code int)
	sent     bool
}

// WriteHeader reports code (unless informational) and passes it on.
func (w *statusWriter) WriteHeader(code int) {
	if !w.sent && code >= 200 {
		w.sent = true
		w.onStatus(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write reports an implicit 200 and passes b on.
func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.sent {
		w.sent = true
		w.onStatus(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController (Flush, Hijack) the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter {
	return w.ResponseWriter
}

// truncatedBody ends a response body after left bytes.
type truncatedBody struct {
	io.ReadCloser
	left int64
}

// Read reads at most the remaining allowance, then reports EOF.
func (b *truncatedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// corruptBody inverts every byte of a response body.
type corruptBody struct {
	io.ReadCloser
}

// Read reads and inverts.
func (b corruptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	for i := range p[:n] {
		p[i] ^= 0xff
	}
	return n, err
}
