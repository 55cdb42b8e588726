package testregistry

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStartPlain(t *testing.T) {
	t.Parallel()
	r := Start(t, Options{})
	hasPrefix(t, "Host", r.Host, "127.0.0.1:")
	if r.URL() != "http://"+r.Host {
		t.Errorf("URL() = %q, want http://%s", r.URL(), r.Host)
	}
	if r.CAFile != "" || r.CertDir != "" {
		t.Errorf("plain registry has CAFile %q, CertDir %q", r.CAFile, r.CertDir)
	}
	resp, body := do(t, newClient(t, ""), http.MethodGet, r.URL()+"/v2/", nil, "", "")
	expectStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(r.Log(), `"GET /v2/ HTTP/1.1" 200`) {
		t.Errorf("registry log lacks the GET /v2/ access line:\n%s", r.Log())
	}
}

func TestStartTLSWithAuth(t *testing.T) {
	t.Parallel()
	r := Start(t, Options{TLS: true, Users: map[string]string{"alice": "s3cret", "bob": "p:w d"}})
	hasPrefix(t, "URL()", r.URL(), "https://127.0.0.1:")
	c := newClient(t, r.CAFile)
	u := r.URL() + "/v2/"

	resp, body := do(t, c, http.MethodGet, u, nil, "", "")
	expectStatus(t, resp, body, http.StatusUnauthorized)
	if got := resp.Header.Get("Www-Authenticate"); got != `Basic realm="basic-realm"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	resp, body = do(t, c, http.MethodGet, u, nil, "alice", "wrong")
	expectStatus(t, resp, body, http.StatusUnauthorized)
	resp, body = do(t, c, http.MethodGet, u, nil, "alice", "s3cret")
	expectStatus(t, resp, body, http.StatusOK)
	resp, body = do(t, c, http.MethodGet, u, nil, "bob", "p:w d")
	expectStatus(t, resp, body, http.StatusOK)

	if _, err := newClient(t, "").Get(u); err == nil {
		t.Error("a client without the CA trusted the registry's certificate")
	}
}

func TestCertificateNames(t *testing.T) {
	t.Parallel()
	r := Start(t, Options{TLS: true})
	pool, err := certPool(r.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"127.0.0.1", "localhost"} {
		conn, err := tls.Dial("tcp", r.Host, &tls.Config{RootCAs: pool, ServerName: name})
		if err != nil {
			t.Errorf("TLS handshake as %q: %v", name, err)
			continue
		}
		conn.Close()
	}
	conn, err := tls.Dial("tcp", r.Host, &tls.Config{RootCAs: pool, ServerName: "example.com"})
	if err == nil {
		conn.Close()
		t.Error("certificate verified for example.com")
	}
}

func TestCertDirHoldsOnlyCA(t *testing.T) {
	t.Parallel()
	r := Start(t, Options{TLS: true})
	entries, err := os.ReadDir(r.CertDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "ca.crt" {
		t.Errorf("CertDir holds %v, want only ca.crt", entries)
	}
	if r.CAFile != filepath.Join(r.CertDir, "ca.crt") {
		t.Errorf("CAFile = %q, want ca.crt in %q", r.CAFile, r.CertDir)
	}
}

func TestCleanupStopsRegistry(t *testing.T) {
	t.Parallel()
	var host string
	t.Run("start", func(t *testing.T) {
		host = Start(t, Options{}).Host
	})
	expectClosed(t, host)
}

func TestStop(t *testing.T) {
	t.Parallel()
	r := Start(t, Options{})
	r.Stop()
	expectClosed(t, r.Host)
	r.Stop() // again, as the cleanup will
}

// expectClosed fails the test if host accepts connections.
func expectClosed(t *testing.T, host string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", host, time.Second)
	if err == nil {
		conn.Close()
		t.Fatalf("%s still accepts connections after the registry was stopped", host)
	}
}

func TestMissingRegistryMessage(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := requireCommand("docker-registry", missingRegistry)
	if err == nil || err.Error() != missingRegistry {
		t.Fatalf("requireCommand error = %v, want %q", err, missingRegistry)
	}
}

func TestRegistryEnvDropsOverrides(t *testing.T) {
	got := registryEnv([]string{"PATH=/bin", "REGISTRY_HTTP_ADDR=0.0.0.0:5000", "HOME=/root"})
	if strings.Join(got, " ") != "PATH=/bin HOME=/root" {
		t.Errorf("registryEnv = %v", got)
	}
}

func TestInvalidUser(t *testing.T) {
	t.Parallel()
	err := writeHtpasswd(filepath.Join(t.TempDir(), "htpasswd"), map[string]string{"a:b": "x"})
	if err == nil || !strings.Contains(err.Error(), "invalid registry user name") {
		t.Fatalf("writeHtpasswd error = %v", err)
	}
}

// launchOnly prepares a Registry like Start but leaves launching to the test.
func launchOnly(t *testing.T, opts Options) (*Registry, settings, string) {
	t.Helper()
	bin, err := requireCommand("docker-registry", missingRegistry)
	if err != nil {
		t.Fatal(err)
	}
	r := &Registry{Dir: t.TempDir(), tls: opts.TLS}
	r.LogFile = filepath.Join(r.Dir, "registry.log")
	s, err := prepare(r.Dir, filepath.Join(r.Dir, "certs.d"), opts)
	if err != nil {
		t.Fatal(err)
	}
	return r, s, bin
}

func TestLaunchReportsEarlyExit(t *testing.T) {
	t.Parallel()
	r, s, bin := launchOnly(t, Options{})
	s.tls = &tlsFiles{certFile: filepath.Join(r.Dir, "missing.crt"), keyFile: filepath.Join(r.Dir, "missing.key")}
	host, err := freeHost()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = r.launch(t, bin, s, host)
	if err == nil || !strings.Contains(err.Error(), "exited before it was ready") || !strings.Contains(err.Error(), "missing.crt") {
		t.Fatalf("launch error = %v, want an early exit with the log", err)
	}
	if errors.Is(err, errPortTaken) {
		t.Errorf("early exit classified as a port clash: %v", err)
	}
	if d := time.Since(start); d > readyTimeout/2 {
		t.Errorf("early exit noticed only after %v", d)
	}
}

func TestLaunchReportsPortTaken(t *testing.T) {
	t.Parallel()
	r, s, bin := launchOnly(t, Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := r.launch(t, bin, s, l.Addr().String()); !errors.Is(err, errPortTaken) {
		t.Fatalf("launch on a taken port: err = %v, want errPortTaken", err)
	}
}

// TestNoDelete: with NoDelete the registry refuses deletes as distribution
// does by default; without it, it deletes.
func TestNoDelete(t *testing.T) {
	t.Parallel()
	const missing = "/v2/x/manifests/sha256:0000000000000000000000000000000000000000000000000000000000000000"
	for _, tt := range []struct {
		noDelete bool
		want     int
	}{{true, http.StatusMethodNotAllowed}, {false, http.StatusNotFound}} {
		r := Start(t, Options{NoDelete: tt.noDelete})
		resp, body := do(t, newClient(t, ""), http.MethodDelete, r.URL()+missing, nil, "", "")
		expectStatus(t, resp, body, tt.want)
	}
}
