package testregistry

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// newClient returns a client that trusts caFile (if set), ignores proxy
// environment variables and keeps no connection alive, so every request uses
// a fresh connection and Go's transparent retry of requests on reused
// connections never hides an injected fault.
func newClient(t *testing.T, caFile string) *http.Client {
	t.Helper()
	transport := &http.Transport{Proxy: nil, DisableKeepAlives: true}
	if caFile != "" {
		pool, err := certPool(caFile)
		if err != nil {
			t.Fatal(err)
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	t.Cleanup(transport.CloseIdleConnections)
	return &http.Client{Transport: transport, Timeout: 30 * time.Second}
}

// do sends a request and returns the response with its body read; it fails
// the test on transport or body errors.
func do(t *testing.T, c *http.Client, method, u string, body []byte, user, pass string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("new request %s %s: %v", method, u, err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, u, err)
	}
	return resp, data
}

// expectStatus fails the test unless resp has status want.
func expectStatus(t *testing.T, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body: %s",
			resp.Request.Method, resp.Request.URL, resp.StatusCode, want, body)
	}
}

// randomBlob returns n random bytes and their digest.
func randomBlob(t *testing.T, n int) ([]byte, string) {
	t.Helper()
	blob := make([]byte, n)
	if _, err := rand.Read(blob); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(blob)
	return blob, "sha256:" + hex.EncodeToString(sum[:])
}

// uploadBlob pushes blob to repository repo at base (a registry or proxy
// URL) with a POST and a monolithic PUT, and returns the Location the POST
// answered.
func uploadBlob(t *testing.T, c *http.Client, base, repo string, blob []byte, digest, user, pass string) string {
	t.Helper()
	resp, body := do(t, c, http.MethodPost, base+"/v2/"+repo+"/blobs/uploads/", nil, user, pass)
	expectStatus(t, resp, body, http.StatusAccepted)
	location := resp.Header.Get("Location")
	put, err := url.Parse(location)
	if err != nil {
		t.Fatalf("upload Location %q: %v", location, err)
	}
	put = resp.Request.URL.ResolveReference(put)
	q := put.Query()
	q.Set("digest", digest)
	put.RawQuery = q.Encode()
	resp, body = do(t, c, http.MethodPut, put.String(), blob, user, pass)
	expectStatus(t, resp, body, http.StatusCreated)
	return location
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

// hasPrefix fails the test unless s starts with prefix.
func hasPrefix(t *testing.T, what, s, prefix string) {
	t.Helper()
	if !strings.HasPrefix(s, prefix) {
		t.Fatalf("%s = %q, want prefix %q", what, s, prefix)
	}
}

// mustURL parses a URL or fails the test.
func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
