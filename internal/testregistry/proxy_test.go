package testregistry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestProxyForwardsAndRecords(t *testing.T) {
	t.Parallel()
	r := Start(t, Options{})
	p := StartProxy(t, r.URL(), "", nil)
	hasPrefix(t, "proxy URL()", p.URL(), "http://127.0.0.1:")
	resp, body := do(t, newClient(t, ""), http.MethodGet, p.URL()+"/v2/", nil, "", "")
	expectStatus(t, resp, body, http.StatusOK)
	if got := resp.Header.Get("Docker-Distribution-Api-Version"); got != "registry/2.0" {
		t.Errorf("Docker-Distribution-Api-Version = %q; not the registry's answer?", got)
	}
	want := []Request{{Method: "GET", Path: "/v2/", Status: 200}}
	if got := p.Requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("Requests() = %+v, want %+v", got, want)
	}
	if n := p.Count("GET", "/v2/"); n != 1 {
		t.Errorf(`Count("GET", "/v2/") = %d, want 1`, n)
	}
}

func TestProxyFault503(t *testing.T) {
	t.Parallel()
	r := Start(t, Options{})
	p := StartProxy(t, r.URL(), "", Every(2, Fault503))
	c := newClient(t, "")
	probes := strings.Count(r.Log(), `"GET /v2/ HTTP/1.1"`) // Start's readiness checks
	for i, want := range []int{200, 503, 200, 503} {
		resp, body := do(t, c, http.MethodGet, p.URL()+"/v2/", nil, "", "")
		if resp.StatusCode != want {
			t.Fatalf("request %d: status %d, want %d; body %s", i+1, resp.StatusCode, want, body)
		}
	}
	if n := p.Count("GET", "/v2/"); n != 2 {
		t.Errorf("Count = %d, want 2 (faulted requests are not forwarded)", n)
	}
	if got := p.Requests()[1]; got.Fault != Fault503 || got.Status != 503 {
		t.Errorf("second request recorded as %+v", got)
	}
	if strings.Count(r.Log(), `"GET /v2/ HTTP/1.1"`) != probes+2 {
		t.Errorf("registry saw other than 2 requests:\n%s", r.Log())
	}
}

func TestProxyFaultReset(t *testing.T) {
	t.Parallel()
	r := Start(t, Options{})
	p := StartProxy(t, r.URL(), "", FirstN(1, FaultReset))
	c := newClient(t, "")
	if resp, err := c.Get(p.URL() + "/v2/"); err == nil {
		resp.Body.Close()
		t.Fatalf("reset request answered %s", resp.Status)
	}
	resp, body := do(t, c, http.MethodGet, p.URL()+"/v2/", nil, "", "")
	expectStatus(t, resp, body, http.StatusOK)
	want := []Request{
		{Method: "GET", Path: "/v2/", Fault: FaultReset},
		{Method: "GET", Path: "/v2/", Status: 200},
	}
	if got := p.Requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("Requests() = %+v, want %+v", got, want)
	}
}

func TestProxyBlobRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		opts       Options
		user, pass string
	}{
		{name: "plain"},
		{name: "tls-auth", opts: Options{TLS: true, Users: map[string]string{"u": "p"}}, user: "u", pass: "p"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := Start(t, tc.opts)
			p := StartProxy(t, r.URL(), r.CAFile, nil)
			c := newClient(t, "")
			blob, digest := randomBlob(t, 3<<20+7)

			location := uploadBlob(t, c, p.URL(), "test/x", blob, digest, tc.user, tc.pass)
			hasPrefix(t, "upload Location", location, p.URL()+"/v2/test/x/blobs/uploads/")

			resp, got := do(t, c, http.MethodGet, p.URL()+"/v2/test/x/blobs/"+digest, nil, tc.user, tc.pass)
			expectStatus(t, resp, got, http.StatusOK)
			if !bytes.Equal(got, blob) {
				t.Fatalf("blob read back through the proxy differs (%d bytes, want %d)", len(got), len(blob))
			}
			expectCounts(t, p, map[[2]string]int{
				{"POST", "/blobs/uploads/"}: 1,
				{"PUT", "/blobs/uploads/"}:  1,
				{"GET", "/blobs/sha256:"}:   1,
			})
			if !strings.Contains(r.Log(), `"PUT /v2/test/x/blobs/uploads/`) {
				t.Errorf("the registry did not log the PUT:\n%s", r.Log())
			}
		})
	}
}

// expectCounts checks p.Count for each {method, path} key.
func expectCounts(t *testing.T, p *Proxy, want map[[2]string]int) {
	t.Helper()
	for k, n := range want {
		if got := p.Count(k[0], k[1]); got != n {
			t.Errorf("Count(%q, %q) = %d, want %d", k[0], k[1], got, n)
		}
	}
}

func TestProxyAuthChallengePassesThrough(t *testing.T) {
	t.Parallel()
	r := Start(t, Options{TLS: true, Users: map[string]string{"u": "p"}})
	p := StartProxy(t, r.URL(), r.CAFile, nil)
	c := newClient(t, "")
	resp, body := do(t, c, http.MethodGet, p.URL()+"/v2/", nil, "", "")
	expectStatus(t, resp, body, http.StatusUnauthorized)
	if got := resp.Header.Get("Www-Authenticate"); got != `Basic realm="basic-realm"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	resp, body = do(t, c, http.MethodGet, p.URL()+"/v2/", nil, "u", "p")
	expectStatus(t, resp, body, http.StatusOK)
}

// proxyWithBlob starts a registry holding a random blob and a proxy in front
// of it; it returns the proxy, the blob and the blob's URL on the proxy.
func proxyWithBlob(t *testing.T, size int) (*Proxy, []byte, string) {
	t.Helper()
	r := Start(t, Options{})
	blob, digest := randomBlob(t, size)
	uploadBlob(t, newClient(t, ""), r.URL(), "test/x", blob, digest, "", "")
	p := StartProxy(t, r.URL(), "", nil)
	return p, blob, p.URL() + "/v2/test/x/blobs/" + digest
}

func TestProxyFaultTruncate(t *testing.T) {
	t.Parallel()
	p, blob, u := proxyWithBlob(t, 1<<20+1)
	p.SetFault(OnPath("/blobs/sha256:", FaultTruncate, 1))
	c := newClient(t, "")
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading truncated body: err = %v, want unexpected EOF", err)
	}
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(blob)) {
		t.Errorf("truncated response: status %d, Content-Length %d", resp.StatusCode, resp.ContentLength)
	}
	if !bytes.Equal(got, blob[:len(blob)/2]) {
		t.Errorf("got %d bytes, want the first %d of the blob", len(got), len(blob)/2)
	}
	resp, body := do(t, c, http.MethodGet, u, nil, "", "")
	if expectStatus(t, resp, body, 200); !bytes.Equal(body, blob) {
		t.Error("second GET (no fault) returned a different blob")
	}
	expectCounts(t, p, map[[2]string]int{{"GET", "/blobs/"}: 1})
}

func TestProxyFaultCorrupt(t *testing.T) {
	t.Parallel()
	p, blob, u := proxyWithBlob(t, 100_000)
	p.SetFault(Always(FaultCorrupt))
	resp, got := do(t, newClient(t, ""), http.MethodGet, u, nil, "", "")
	expectStatus(t, resp, got, http.StatusOK)
	if len(got) != len(blob) {
		t.Fatalf("corrupted body has %d bytes, want %d", len(got), len(blob))
	}
	for i := range got {
		if got[i] != ^blob[i] {
			t.Fatalf("byte %d = %#x, want %#x inverted", i, got[i], blob[i])
		}
	}
	if req := p.Requests()[0]; req.Fault != FaultCorrupt || req.Status != 200 {
		t.Errorf("recorded %+v", req)
	}
}

func TestProxyFaultStall(t *testing.T) {
	t.Parallel()
	r := Start(t, Options{})
	p := StartProxy(t, r.URL(), "", Always(FaultStall))
	c := newClient(t, "")
	before := r.Log()

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- get(ctx, c, p.URL()+"/v2/") }()
	waitFor(t, "the first request to arrive", func() bool { return len(p.Requests()) == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("stalled request given up: err = %v, want context.Canceled", err)
	}

	go func() { errc <- get(context.Background(), c, p.URL()+"/v2/") }()
	waitFor(t, "the second request to arrive", func() bool { return len(p.Requests()) == 2 })
	p.Close()
	if err := <-errc; err == nil {
		t.Error("stalled request succeeded after the proxy closed")
	}
	if n := p.Count("GET", "/v2/"); n != 0 {
		t.Errorf("Count = %d, want 0", n)
	}
	if r.Log() != before {
		t.Errorf("stalled requests reached the registry:\n%s", r.Log())
	}
}

// get sends a GET and returns any error, including a non-200 status.
func get(ctx context.Context, c *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}

func TestProxyStallWithBodyEndsWhenClientGivesUp(t *testing.T) {
	t.Parallel()
	r := Start(t, Options{})
	p := StartProxy(t, r.URL(), "", Always(FaultStall))
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, p.URL()+"/v2/x/blobs/uploads/u", strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		resp, err := newClient(t, "").Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	waitFor(t, "the request to arrive", func() bool { return len(p.Requests()) == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	waitFor(t, "the stalled handler to return", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.inFlight == 0
	})
}

func TestRewriteLocation(t *testing.T) {
	t.Parallel()
	p := StartProxy(t, "https://127.0.0.1:5000", "", nil)
	for in, want := range map[string]string{
		"https://127.0.0.1:5000/v2/x/blobs/uploads/u?_state=s": p.URL() + "/v2/x/blobs/uploads/u?_state=s",
		"http://127.0.0.1:5000/v2/":                            "http://127.0.0.1:5000/v2/", // other scheme: another server
		"https://127.0.0.1:5001/v2/":                           "https://127.0.0.1:5001/v2/",
		"/v2/x/blobs/uploads/u":                                "/v2/x/blobs/uploads/u",
	} {
		if got := p.rewriteLocation(in); got != want {
			t.Errorf("rewriteLocation(%q) = %q, want %q", in, got, want)
		}
	}
	h := http.Header{"Www-Authenticate": {`Bearer realm="https://127.0.0.1:5000/token",service="r"`}}
	p.rewriteHeaders(h)
	if got, want := h.Get("Www-Authenticate"), `Bearer realm="`+p.URL()+`/token",service="r"`; got != want {
		t.Errorf("WWW-Authenticate rewritten to %q, want %q", got, want)
	}
}

func TestStartProxyRejectsBadUpstream(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"127.0.0.1:5000", "ftp://127.0.0.1", "http://", "::"} {
		if _, err := newProxy(u, "", nil); err == nil {
			t.Errorf("newProxy(%q) succeeded", u)
		}
	}
}

func TestFaultPlans(t *testing.T) {
	t.Parallel()
	blob := &http.Request{URL: mustURL(t, "/v2/x/blobs/sha256:aa")}
	other := &http.Request{URL: mustURL(t, "/v2/")}
	onPath := OnPath("/blobs/", FaultReset, 2)
	cases := []struct {
		name string
		f    Fault
		reqs []*http.Request
		want []string
	}{
		{"Always", Always(Fault503), []*http.Request{other, other}, []string{"503", "503"}},
		{"Every", Every(3, FaultStall), []*http.Request{other, other, other, other, other, other},
			[]string{"", "", "stall", "", "", "stall"}},
		{"Every0", Every(0, FaultStall), []*http.Request{other}, []string{""}},
		{"FirstN", FirstN(2, FaultCorrupt), []*http.Request{other, other, other}, []string{"corrupt", "corrupt", ""}},
		{"OnPath", onPath, []*http.Request{other, blob, other, blob, blob}, []string{"", "reset", "", "reset", ""}},
	}
	for _, tc := range cases {
		var got []string
		for i, r := range tc.reqs {
			got = append(got, tc.f(i+1, r))
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestProxyLies: the faults that answer for the registry answer as one
// that lies would, and the registry behind sees nothing of them.
func TestProxyLies(t *testing.T) {
	t.Parallel()
	r := Start(t, Options{})
	p := StartProxy(t, r.URL(), "", nil)
	c := newClient(t, "")
	manifest := []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`)
	sum := sha256.Sum256(manifest)
	dgst := "sha256:" + hex.EncodeToString(sum[:])
	tests := []struct {
		fault, method, path string
		status              int
		header, body        string // expected in the answer
	}{
		{Fault403, http.MethodPut, "/v2/app/manifests/sha256-0123", http.StatusForbidden, "", `"code":"DENIED"`},
		{FaultDrop, http.MethodPut, "/v2/app/manifests/" + dgst, http.StatusCreated, dgst, ""},
		{FaultEmptyReferrers, http.MethodGet, "/v2/app/referrers/" + dgst, http.StatusOK, "", `"manifests":[]`},
	}
	for _, tt := range tests {
		p.SetFault(Always(tt.fault))
		resp, body := do(t, c, tt.method, p.URL()+tt.path, manifest, "", "")
		expectStatus(t, resp, body, tt.status)
		if got := resp.Header.Get("Docker-Content-Digest"); got != tt.header {
			t.Errorf("%s: Docker-Content-Digest %q, want %q", tt.fault, got, tt.header)
		}
		if !bytes.Contains(body, []byte(tt.body)) {
			t.Errorf("%s: body %s, want it to hold %s", tt.fault, body, tt.body)
		}
	}
	p.SetFault(nil)
	resp, body := do(t, c, http.MethodGet, p.URL()+"/v2/app/manifests/"+dgst, nil, "", "")
	expectStatus(t, resp, body, http.StatusNotFound)
	if puts, gets := strings.Count(r.Log(), `"PUT /v2/app/`), strings.Count(r.Log(), `"GET /v2/app/`); puts != 0 || gets != 1 {
		t.Errorf("the registry saw %d PUTs and %d GETs for app, want only the last GET:\n%s", puts, gets, r.Log())
	}
}
