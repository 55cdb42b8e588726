package remote

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/docker-krust/docker-krust/layout"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"127.0.0.1:5000", true},
		{"127.0.0.1", true},
		{"127.5.5.5", true},
		{"127.5.5.5:443", true},
		{"localhost", true},
		{"localhost:5000", true},
		{"[::1]:5000", true},
		{"[::1]", true}, // a valid registry host in a reference: [::1]/app
		{"example.com", false},
		{"example.com:5000", false},
		{"10.0.0.1", false},
		{"10.0.0.1:5000", false},
		{"localhost.example.com", false},
		{"127.0.0.1.example.com", false},
		{"[::2]:5000", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isLoopback(tt.host); got != tt.want {
			t.Errorf("isLoopback(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestRegistryHost(t *testing.T) {
	tests := map[string]string{
		"docker.io":       "registry-1.docker.io",
		"index.docker.io": "registry-1.docker.io",
		"ghcr.io":         "ghcr.io",
		"127.0.0.1:5000":  "127.0.0.1:5000",
		"localhost":       "localhost",
		"docker.io:443":   "docker.io:443",
	}
	for in, want := range tests {
		if got := registryHost(in); got != want {
			t.Errorf("registryHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRegistryHostOfParsedReferences(t *testing.T) {
	c := New(Options{})
	tests := []struct {
		ref, host, repo string
	}{
		{"alpine", "registry-1.docker.io", "library/alpine"},
		{"docker.io/library/alpine:3", "registry-1.docker.io", "library/alpine"},
		{"user/app", "registry-1.docker.io", "user/app"},
		{"ghcr.io/o/app:v1", "ghcr.io", "o/app"},
	}
	for _, tt := range tests {
		// Non-loopback, non-insecure hosts make no request in Repository.
		repo, err := c.Repository(context.Background(), mustNamed(t, tt.ref))
		if err != nil {
			t.Fatalf("Repository(%q): %v", tt.ref, err)
		}
		if repo.Reference.Registry != tt.host || repo.Reference.Repository != tt.repo || repo.PlainHTTP {
			t.Errorf("Repository(%q) = %s/%s plain=%v, want %s/%s over TLS",
				tt.ref, repo.Reference.Registry, repo.Reference.Repository, repo.PlainHTTP, tt.host, tt.repo)
		}
	}
}

func TestTransient(t *testing.T) {
	status := func(code int) error {
		return &errcode.ErrorResponse{Method: http.MethodGet, URL: &url.URL{Scheme: "https", Host: "r.example", Path: "/v2/"}, StatusCode: code}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"503", status(http.StatusServiceUnavailable), true},
		{"500", status(http.StatusInternalServerError), true},
		{"502 wrapped", fmt.Errorf("push: %w", status(http.StatusBadGateway)), true},
		{"429", status(http.StatusTooManyRequests), true},
		{"408", status(http.StatusRequestTimeout), true},
		{"401", status(http.StatusUnauthorized), false},
		{"403", status(http.StatusForbidden), false},
		{"404", status(http.StatusNotFound), false},
		{"404 wrapped", fmt.Errorf("resolve: %w", status(http.StatusNotFound)), false},
		{"unexpected EOF", io.ErrUnexpectedEOF, true},
		{"unexpected EOF wrapped", fmt.Errorf("read content: %w", io.ErrUnexpectedEOF), true},
		{"context canceled", context.Canceled, false},
		{"context canceled in url.Error", &url.Error{Op: "Get", URL: "https://r.example/v2/", Err: context.Canceled}, false},
		{"deadline exceeded", context.DeadlineExceeded, false},
		{"layout digest mismatch wrapped", fmt.Errorf("push blob: %w", fmt.Errorf("content has digest x: %w", layout.ErrDigestMismatch)), true},
		{"oras mismatched digest", content.ErrMismatchedDigest, true},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		{"dial error in url.Error", &url.Error{Op: "Get", URL: "https://r.example/v2/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}, true},
		{"broken pipe", fmt.Errorf("write: %w", syscall.EPIPE), true},
		{"plain error", errors.New("manifest invalid"), false},
		{"not found", errdef.ErrNotFound, false},
		// A certificate the client does not trust stays untrusted however
		// often the request is repeated.
		{"untrusted certificate in url.Error", &url.Error{Op: "Head", URL: "https://r.example/v2/", Err: x509.UnknownAuthorityError{}}, false},
		{"wrong host certificate in url.Error", &url.Error{Op: "Head", URL: "https://r.example/v2/", Err: x509.HostnameError{Host: "r.example", Certificate: &x509.Certificate{}}}, false},
	}
	for _, tt := range tests {
		if got := transient(tt.err); got != tt.want {
			t.Errorf("transient(%s: %v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestRetryBlob(t *testing.T) {
	tests := []struct {
		name    string
		tries   int
		errs    []error // returned by successive calls; nil after the end
		calls   int
		wantErr bool
	}{
		{"success at once", 3, nil, 1, false},
		{"transient then success", 3, []error{io.ErrUnexpectedEOF}, 2, false},
		{"permanent error is not retried", 3, []error{errdef.ErrNotFound, nil}, 1, true},
		{"damaged layout blob is not retried", 3, []error{fmt.Errorf("read: %w: %w", layout.ErrCorruptBlob, layout.ErrDigestMismatch), nil}, 1, true},
		{"gives up after BlobTries", 2, []error{io.ErrUnexpectedEOF, io.ErrUnexpectedEOF, nil}, 2, true},
		{"one try only", 1, []error{io.ErrUnexpectedEOF, nil}, 1, true},
		{"zero means the default, 3", 0, []error{io.ErrUnexpectedEOF, io.ErrUnexpectedEOF, io.ErrUnexpectedEOF, nil}, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log syncBuffer
			c := New(Options{Retry: RetryPolicy{BlobTries: tt.tries}, Log: &log})
			calls := 0
			err := c.retryBlob(context.Background(), "upload", ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayerGzip, Digest: digest.FromString("x")}, func(try int) error {
				calls++
				if try != calls {
					t.Errorf("call %d told try %d", calls, try)
				}
				if calls <= len(tt.errs) {
					return tt.errs[calls-1]
				}
				return nil
			})
			if calls != tt.calls {
				t.Errorf("fn called %d times, want %d", calls, tt.calls)
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error: %v", err, tt.wantErr)
			}
			if got, want := strings.Count(log.String(), "trying again"), tt.calls-1; got != want {
				t.Errorf("log has %d retry lines, want %d:\n%s", got, want, log.String())
			}
		})
	}
}

func TestRetryBlobStopsWhenContextEnds(t *testing.T) {
	c := New(Options{Retry: RetryPolicy{BlobTries: 100}})
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := c.retryBlob(ctx, "download", ocispec.Descriptor{}, func(int) error {
		calls++
		cancel()
		return io.ErrUnexpectedEOF
	})
	if calls != 1 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("after cancel: %d calls, err %v; want 1 call and the last error", calls, err)
	}
}

func TestRedactQuery(t *testing.T) {
	tests := []struct {
		name string
		in   url.Values
		want string
	}{
		{"empty", url.Values{}, ""},
		{"nothing secret, keys sorted", url.Values{"n": {"10"}, "last": {"a"}, "digest": {"sha256:abc"}}, "digest=sha256%3Aabc&last=a&n=10"},
		{"upload state", url.Values{"_state": {"eyJOYW1lIjoieCJ9"}, "digest": {"sha256:abc"}}, "_state=REDACTED&digest=sha256%3Aabc"},
		{"token and password", url.Values{"token": {"t0ps3cret"}, "password": {"hunter2"}, "scope": {"repository:x:pull"}}, "password=REDACTED&scope=repository%3Ax%3Apull&token=REDACTED"},
		{"case-insensitive names", url.Values{"Password": {"p"}, "X-Amz-Signature": {"s"}, "Token": {"t"}}, "Password=REDACTED&Token=REDACTED&X-Amz-Signature=REDACTED"},
		{"other secrets", url.Values{"access_token": {"a"}, "refresh_token": {"r"}, "sig": {"s"}, "signature": {"g"}}, "access_token=REDACTED&refresh_token=REDACTED&sig=REDACTED&signature=REDACTED"},
		{"repeated values", url.Values{"token": {"a", "b"}, "mount": {"sha256:1", "sha256:2"}}, "mount=sha256%3A1&mount=sha256%3A2&token=REDACTED&token=REDACTED"},
		{"empty secret value", url.Values{"token": {""}}, "token=REDACTED"},
	}
	for _, tt := range tests {
		got := redactQuery(tt.in)
		if got != tt.want {
			t.Errorf("%s: redactQuery(%v) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestShort(t *testing.T) {
	full := digest.FromString("hello")
	tests := []struct {
		in   digest.Digest
		want string
	}{
		{full, "sha256:" + full.Encoded()[:12]},
		{digest.Digest("sha512:" + digest.SHA512.FromString("x").Encoded()), "sha512:" + digest.SHA512.FromString("x").Encoded()[:12]},
		{"sha256:0123456789ab", "sha256:0123456789ab"},
		{"sha256:0123456789abc", "sha256:0123456789ab"},
		{"sha256:abc", "sha256:abc"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ShortDigest(tt.in); got != tt.want {
			t.Errorf("ShortDigest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
