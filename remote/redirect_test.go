package remote

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	orasauth "oras.land/oras-go/v2/registry/remote/auth"
)

// A registry may send blob downloads elsewhere (a CDN). The credentials
// for the registry must not go along. This is a fault a real registry
// here cannot be made to produce, so the redirect comes from a small
// front server in front of a real one.
func TestCredentialsDoNotFollowRedirectsToAnotherHost(t *testing.T) {
	const user, password = "alice", "s3cret-redirect-pw"
	reg := testregistry.Start(t, testregistry.Options{TLS: true, Users: map[string]string{user: password}})
	store := newStore(t)
	img := writeImage(t, store, linuxAmd64, "redirected")
	creds := func(context.Context, string) (orasauth.Credential, error) {
		return orasauth.Credential{Username: user, Password: password}, nil
	}
	direct := New(Options{Credential: creds, CertDirs: []string{certDirFor(t, reg)}})
	pushImage(t, direct, reg.Host, "app", img, "v1")

	cdn := newRecordingCDN(t, store.Dir())
	front := newRedirectingFront(t, reg, cdn.URL)
	c := New(Options{Credential: creds})
	pulled := newStore(t)
	base, err := c.PullBase(context.Background(), front+"/app:v1", linuxAmd64, pulled)
	if err != nil {
		t.Fatalf("pull through a redirecting registry: %v", err)
	}
	assertInStore(t, pulled, img.blobs()...)
	if base.Manifest.Digest != img.manifest.Digest {
		t.Errorf("pulled %s, want %s", base.Manifest.Digest, img.manifest.Digest)
	}
	requests, leaked := cdn.seen()
	if requests == 0 {
		t.Fatal("no request reached the other host: the test proves nothing")
	}
	if leaked != "" {
		t.Errorf("the other host received credentials: Authorization %q", leaked)
	}
}

// recordingCDN serves blobs from a layout directory on a different host
// name (localhost rather than 127.0.0.1) and records Authorization headers.
type recordingCDN struct {
	URL      string
	mu       sync.Mutex
	requests int
	auth     string
}

func newRecordingCDN(t *testing.T, layoutDir string) *recordingCDN {
	t.Helper()
	cdn := &recordingCDN{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cdn.mu.Lock()
		cdn.requests++
		if a := r.Header.Get("Authorization"); a != "" {
			cdn.auth = a
		}
		cdn.mu.Unlock()
		i := strings.LastIndex(r.URL.Path, "/sha256:")
		if i < 0 {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(layoutDir, "blobs", "sha256", r.URL.Path[i+len("/sha256:"):]))
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	cdn.URL = "http://localhost:" + port
	return cdn
}

func (c *recordingCDN) seen() (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests, c.auth
}

// newRedirectingFront serves reg's API on 127.0.0.1 over plain HTTP, but
// answers blob downloads with a redirect to cdn. It returns its host.
func newRedirectingFront(t *testing.T, reg *testregistry.Registry, cdn string) string {
	t.Helper()
	ca, err := os.ReadFile(reg.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	upstream, _ := url.Parse(reg.URL())
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	proxy.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/sha256:") {
			http.Redirect(w, r, cdn+r.URL.Path, http.StatusTemporaryRedirect)
			return
		}
		r.Host = upstream.Host
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}
