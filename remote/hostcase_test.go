package remote

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// A registry host in upper case is the same host: LOCALHOST is loopback
// (plain HTTP allowed), and an insecure host or a credential filed in
// lower case applies to it.
func TestHostsAreNotCaseSensitive(t *testing.T) {
	t.Parallel()
	plain := startRegistry(t)
	secure := testregistry.Start(t, testregistry.Options{TLS: true, Users: map[string]string{testUser: testPassword}})
	_, plainPort, _ := strings.Cut(plain.Host, ":")
	_, securePort, _ := strings.Cut(secure.Host, ":")
	lowerSecure := "localhost:" + securePort
	creds := func(_ context.Context, host string) (auth.Credential, error) {
		if host != lowerSecure { // as a lookup filed under the host in lower case
			return auth.EmptyCredential, nil
		}
		return auth.Credential{Username: testUser, Password: testPassword}, nil
	}
	tests := []struct {
		name string
		repo string
		opts Options
	}{
		{"LOCALHOST over plain HTTP", "LOCALHOST:" + plainPort + "/app", Options{}},
		{"Localhost over plain HTTP", "Localhost:" + plainPort + "/app", Options{}},
		{"LOCALHOST insecure as localhost, with credentials filed as localhost", "LOCALHOST:" + securePort + "/app",
			Options{Credential: creds, Insecure: func(h string) bool { return h == lowerSecure }}},
		{"LOCALHOST with its CA in certs.d/localhost:PORT", "LOCALHOST:" + securePort + "/app",
			Options{Credential: creds, CertDirs: []string{caDirAs(t, secure, lowerSecure)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := New(tt.opts).CheckPush(context.Background(), mustNamed(t, tt.repo)); err != nil {
				t.Errorf("CheckPush(%s): %v", tt.repo, err)
			}
		})
	}
}

// caDirAs returns a certs.d directory trusting r's CA under the name host.
func caDirAs(t *testing.T, r *testregistry.Registry, host string) string {
	t.Helper()
	dir := t.TempDir()
	ca, err := os.ReadFile(r.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, host), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, host, "ca.crt"), ca, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
