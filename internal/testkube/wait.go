package testkube

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// probeTimeout bounds one readiness request.
const probeTimeout = 2 * time.Second

// freePorts returns n distinct 127.0.0.1 ports that were free a moment ago:
// all n are held open together, so none is returned twice.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// probe reports whether a server is ready.
type probe func(ctx context.Context) bool

// wait polls ready, backing off from 10 ms to 250 ms, until it holds. It
// fails at once, quoting the end of p's output, if p exits, and likewise
// after s.timeout or when ctx is done.
func (s *Server) wait(ctx context.Context, p *process, ready probe) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	backoff := 10 * time.Millisecond
	for {
		if ready(ctx) {
			return nil
		}
		select {
		case <-p.done:
			if p.portTaken() {
				return fmt.Errorf("%w: %w", errPortTaken, p.exitError())
			}
			return p.exitError()
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %v (%w); the end of its output:\n%s",
				p.name, s.timeout, context.Cause(ctx), p.tail())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 250*time.Millisecond)
	}
}

// etcdHealthy probes etcd's /health.
func etcdHealthy(clientURL string) probe {
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	return func(ctx context.Context) bool {
		body, ok := get(ctx, client, clientURL+"/health", "")
		return ok && strings.Contains(body, `"health":"true"`)
	}
}

// apiserverReady probes kube-apiserver's /readyz with token, trusting only
// the certificate it writes to caFile (absent until it has made it).
func apiserverReady(url, caFile, token string) probe {
	return func(ctx context.Context) bool {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return false
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return false // not written completely yet
		}
		transport := &http.Transport{Proxy: nil, DisableKeepAlives: true,
			TLSClientConfig: &tls.Config{RootCAs: pool}}
		_, ok := get(ctx, &http.Client{Transport: transport}, url+"/readyz", token)
		return ok
	}
}

// get requests url, with a bearer token if one is given, and returns the
// body and whether the answer was 200.
func get(ctx context.Context, client *http.Client, url, token string) (string, bool) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", false
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return string(body), err == nil && resp.StatusCode == http.StatusOK
}
