package remote

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"time"

	"github.com/docker-krust/docker-krust/internal/regular"
)

// maxCertBytes bounds a CA certificate file read from certs.d: a PEM
// certificate takes one or two kB, a bundle of every public CA about 200 kB.
const maxCertBytes = 1 << 20

// transport returns the HTTP transport for host, made once per host so
// that connections are reused across repositories and calls.
func (c *Client) transport(host string) (http.RoundTripper, error) {
	c.tmu.Lock()
	defer c.tmu.Unlock()
	if t, ok := c.transports[host]; ok {
		return t, nil
	}
	t, err := c.newTransport(host)
	if err != nil {
		return nil, err
	}
	c.transports[host] = t
	return t, nil
}

// newTransport makes host's transport: TLS verified against the system's
// CAs (which include SSL_CERT_FILE) plus host's certs.d CAs, or not
// verified for an insecure host.
func (c *Client) newTransport(host string) (http.RoundTripper, error) {
	tlsConfig, err := c.tlsConfig(host)
	if err != nil {
		return nil, err
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = tlsConfig
	t.ResponseHeaderTimeout = 2 * time.Minute
	trust := &trustTransport{base: t, host: host, certDirs: c.opts.CertDirs}
	if c.opts.Debug == nil {
		return trust, nil
	}
	return &debugTransport{base: trust, out: c.opts.Debug}, nil
}

func (c *Client) tlsConfig(host string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.insecure(host) {
		cfg.InsecureSkipVerify = true
		return cfg, nil
	}
	var pems [][]byte
	for _, dir := range c.opts.CertDirs {
		certs, _ := filepath.Glob(filepath.Join(dir, hostDir(host), "*.crt"))
		for _, path := range certs {
			// Not os.ReadFile: a named pipe there would block for good.
			data, err := regular.ReadFile(path, maxCertBytes)
			if errors.Is(err, regular.ErrNotRegular) || errors.Is(err, regular.ErrTooLarge) {
				return nil, fmt.Errorf("read CA certificate for %s: %w; put the registry's CA certificate (PEM) there, or remove it", host, err)
			}
			if err != nil {
				return nil, fmt.Errorf("read CA certificate for %s: %w", host, err)
			}
			pems = append(pems, data)
		}
	}
	if len(pems) == 0 {
		return cfg, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	for i, pem := range pems {
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA certificate %d for %s in certs.d holds no PEM certificate", i+1, host)
		}
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// hostDir is the certs.d directory name for host; Docker uses the host as
// given, with ":" kept.
func hostDir(host string) string {
	return host
}

// debugTransport prints one line per request: method, URL and status. It
// never prints headers or bodies, where credentials travel.
type debugTransport struct {
	base http.RoundTripper
	out  io.Writer
}

func (d *debugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := d.base.RoundTrip(req)
	u := *req.URL
	u.User = nil
	u.RawQuery = redactQuery(u.Query())
	if err != nil {
		fmt.Fprintf(d.out, "http: %s %s: %v\n", req.Method, u.String(), redact(err))
		return resp, err
	}
	fmt.Fprintf(d.out, "http: %s %s -> %d\n", req.Method, u.String(), resp.StatusCode)
	return resp, err
}
