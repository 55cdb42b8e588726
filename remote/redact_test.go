package remote

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/layout"
)

func TestRedactURLsInErrors(t *testing.T) {
	tests := []struct {
		in       string
		secrets  []string
		keptText []string
	}{
		{`GET "https://s3.example.com/blob?X-Amz-Signature=abc123&X-Amz-Credential=AKIA42&X-Amz-Security-Token=tok9": 503`,
			[]string{"abc123", "AKIA42", "tok9"}, []string{"https://s3.example.com/blob?", ": 503"}},
		{`PUT "http://127.0.0.1:5000/v2/x/blobs/uploads/u?_state=c2VjcmV0&digest=sha256%3Aab": response status code 503`,
			[]string{"c2VjcmV0"}, []string{"digest=sha256%3Aab", "status code 503"}},
		{`https://storage.googleapis.com/b?X-Goog-Signature=g00g&X-Goog-Credential=svc%40x`, []string{"g00g", "svc%40x"}, nil},
		{`https://user:hunter2@registry.example.com/v2/`, []string{"hunter2"}, []string{"registry.example.com/v2/"}},
		{`no url here`, nil, []string{"no url here"}},
	}
	for _, tt := range tests {
		base := fmt.Errorf("wrapped: %w", layout.ErrDigestMismatch)
		err := redact(fmt.Errorf("%s: %w", tt.in, base))
		for _, s := range tt.secrets {
			if strings.Contains(err.Error(), s) {
				t.Errorf("redacted %q still contains %q", err, s)
			}
		}
		for _, s := range tt.keptText {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("redacted %q lost %q", err, s)
			}
		}
		if !errors.Is(err, layout.ErrDigestMismatch) {
			t.Errorf("redact broke errors.Is for %q", tt.in)
		}
	}
	if redact(nil) != nil {
		t.Error("redact(nil) != nil")
	}
}

// The URL pattern is compiled once, not on every error and log line that
// redact sees: matching a line costs a few allocations (3 with Go 1.26),
// compiling the pattern about 30.
func TestRedactCompilesItsPatternOnce(t *testing.T) {
	msg := "push sha256:ab12 to 127.0.0.1:5000/app: 503 Service Unavailable"
	if allocs := testing.AllocsPerRun(100, func() { _ = redactURLs(msg) }); allocs > 10 {
		t.Errorf("redactURLs allocates %.0f times for a line without a URL, want a few: is the pattern compiled per call?", allocs)
	}
}
