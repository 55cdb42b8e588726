package testregistry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readyTimeout bounds how long Start waits for the registry to answer.
const readyTimeout = 15 * time.Second

// portAttempts is how often Start picks a new port when another process took
// the chosen one between choosing and binding it.
const portAttempts = 5

// errPortTaken reports that the registry could not bind its port.
var errPortTaken = errors.New("port already in use")

// Options configures Start.
type Options struct {
	// TLS serves HTTPS with a certificate for 127.0.0.1 and localhost,
	// signed by a CA made for this registry (see Registry.CAFile).
	TLS bool
	// Users, when non-empty, turns on htpasswd basic auth with these
	// user → password pairs.
	Users map[string]string
	// NoDelete refuses every DELETE with 405, as distribution does by
	// default (storage.delete.enabled unset); otherwise deletes work.
	NoDelete bool
}

// Registry is a running docker-registry, stopped by the cleanup of the test
// that started it (or earlier by Stop).
type Registry struct {
	Host    string // "127.0.0.1:PORT"
	Dir     string // its temporary directory (data, config, certificates, log)
	CAFile  string // with TLS: PEM CA certificate clients should trust
	CertDir string // with TLS: directory holding only ca.crt (skopeo --dest-cert-dir, docker certs.d layout)
	LogFile string // the registry's combined stdout and stderr

	tls  bool
	proc *process
}

// Start runs docker-registry on a free 127.0.0.1 port and waits until it
// answers GET /v2/ (200, or 401 with Users). It calls t.Fatal when the
// registry is not installed or does not come up; the log is in the message.
func Start(t testing.TB, opts Options) *Registry {
	t.Helper()
	bin, err := requireCommand("docker-registry", missingRegistry)
	if err != nil {
		t.Fatal(err)
	}
	r := &Registry{Dir: t.TempDir(), tls: opts.TLS}
	r.LogFile = filepath.Join(r.Dir, "registry.log")
	if opts.TLS {
		r.CertDir = filepath.Join(r.Dir, "certs.d")
		r.CAFile = filepath.Join(r.CertDir, "ca.crt")
	}
	s, err := prepare(r.Dir, r.CertDir, opts)
	if err != nil {
		t.Fatalf("testregistry: %v", err)
	}
	for attempt := 1; ; attempt++ {
		host, err := freeHost()
		if err == nil {
			err = r.launch(t, bin, s, host)
		}
		if err == nil {
			return r
		}
		if !errors.Is(err, errPortTaken) || attempt == portAttempts {
			t.Fatalf("testregistry: %v", err)
		}
	}
}

// URL returns "http://HOST", or "https://HOST" with TLS.
func (r *Registry) URL() string {
	if r.tls {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// Log returns the registry's output so far, or a note saying why it cannot
// be read. When counting requests in it, note that its access log also holds
// Start's readiness checks (GET /v2/).
func (r *Registry) Log() string {
	data, err := os.ReadFile(r.LogFile)
	if err != nil {
		return fmt.Sprintf("(cannot read registry log: %v)", err)
	}
	return string(data)
}

// Stop kills the registry and waits for it to exit. It is safe to call more
// than once; the test's cleanup calls it too.
func (r *Registry) Stop() {
	if r.proc != nil {
		r.proc.stop()
	}
}

// launch starts the registry on host and waits for it to be ready.
func (r *Registry) launch(t testing.TB, bin string, s settings, host string) error {
	config, err := s.configJSON(host)
	if err != nil {
		return err
	}
	configFile := filepath.Join(r.Dir, "config.yml")
	if err := os.WriteFile(configFile, config, 0o600); err != nil {
		return fmt.Errorf("write registry config: %w", err)
	}
	proc, err := startProcess(bin, []string{"serve", configFile}, r.Dir, r.LogFile)
	if err != nil {
		return err
	}
	t.Cleanup(proc.stop)
	r.Host, r.proc = host, proc
	if err := r.waitReady(); err != nil {
		proc.stop()
		return err
	}
	return nil
}

// freeHost returns a 127.0.0.1 address whose port was free a moment ago.
func freeHost() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	host := l.Addr().String()
	if err := l.Close(); err != nil {
		return "", fmt.Errorf("release port %s: %w", host, err)
	}
	return host, nil
}

// waitReady polls until the registry has logged that it listens on r.Host
// (so the port is ours, not another process's) and answers GET /v2/ with
// 200 or 401. It fails at once if the process exits.
func (r *Registry) waitReady() error {
	client, err := r.probeClient()
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(readyTimeout)
	backoff := 5 * time.Millisecond
	for {
		if r.ready(client) {
			return nil
		}
		select {
		case <-r.proc.done:
			return r.exitedEarly()
		case <-time.After(backoff):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("docker-registry on %s not ready after %v; log:\n%s", r.Host, readyTimeout, r.Log())
		}
		backoff = min(2*backoff, 200*time.Millisecond)
	}
}

// ready reports whether the registry is listening and answers GET /v2/.
func (r *Registry) ready(client *http.Client) bool {
	if !strings.Contains(r.Log(), "listening on "+r.Host) {
		return false
	}
	resp, err := client.Get(r.URL() + "/v2/")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized
}

// exitedEarly describes a registry that exited before becoming ready.
func (r *Registry) exitedEarly() error {
	log := r.Log()
	err := fmt.Errorf("docker-registry exited before it was ready (%v); log:\n%s", r.proc.err, log)
	if strings.Contains(log, "address already in use") {
		return fmt.Errorf("%w: %w", errPortTaken, err)
	}
	return err
}

// probeClient returns a client for readiness checks that trusts r.CAFile.
func (r *Registry) probeClient() (*http.Client, error) {
	transport := &http.Transport{Proxy: nil, DisableKeepAlives: true}
	if r.tls {
		pool, err := certPool(r.CAFile)
		if err != nil {
			return nil, err
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	return &http.Client{Transport: transport, Timeout: 2 * time.Second}, nil
}

// certPool returns a pool holding the PEM certificates in file.
func certPool(file string) (*x509.CertPool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("no PEM certificate in CA file %s", file)
	}
	return pool, nil
}
