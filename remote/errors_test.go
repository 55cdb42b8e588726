package remote

import (
	"errors"
	"net/http"
	"strings"
	"syscall"
	"testing"

	orasremote "oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// Every refusal the client explains is a HostError of one kind, found with
// errors.Is, keeps the registry's own error, and names no flag.
func TestRefusalsAreSentinels(t *testing.T) {
	repo, err := orasremote.NewRepository("r.example:5000/team/app")
	if err != nil {
		t.Fatal(err)
	}
	status := func(code int) error { return &errcode.ErrorResponse{StatusCode: code, Method: http.MethodPut} }
	tests := []struct {
		name    string
		explain func(error, *orasremote.Repository) error
		err     error
		want    error
	}{
		{"no credentials", explain, auth.ErrBasicCredentialNotFound, ErrNoCredentials},
		{"401", explain, status(http.StatusUnauthorized), ErrCredentialsRefused},
		{"403", explain, status(http.StatusForbidden), ErrDenied},
		{"connection refused", explain, syscall.ECONNREFUSED, ErrUnreachable},
		{"untrusted", explain, &untrustedError{caFiles: []string{"/d/certs.d/r.example:5000/ca.crt"}, err: errors.New("x509")}, ErrUntrusted},
		{"400 to an artifact", func(err error, r *orasremote.Repository) error { return explainIncomplete(err, r, 0) },
			status(http.StatusBadRequest), ErrArtifactsRefused},
		{"415 to an artifact", func(err error, r *orasremote.Repository) error { return explainIncomplete(err, r, 0) },
			status(http.StatusUnsupportedMediaType), ErrArtifactsRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.explain(tt.err, repo)
			var refusal *HostError
			if !errors.Is(got, tt.want) || !errors.Is(got, tt.err) || !errors.As(got, &refusal) {
				t.Fatalf("got %v, want %v wrapping %v", got, tt.want, tt.err)
			}
			if refusal.Host != "r.example:5000" || !strings.HasSuffix(got.Error(), "\n"+refusal.Hint) {
				t.Errorf("host %q, hint %q, error %q", refusal.Host, refusal.Hint, got)
			}
			if strings.Contains(got.Error(), "--") {
				t.Errorf("error names a flag: %v", got)
			}
		})
	}
}
