package remote

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// The hint for a registry whose certificate is not trusted names the
// certs.d files krust reads, in the Docker config in use (whatever it is:
// DOCKER_CONFIG, docker --config) rather than ~/.docker: putting the CA
// where the hint says then works.
func TestUntrustedHintNamesTheCertsDirsRead(t *testing.T) {
	t.Parallel()
	reg := testregistry.Start(t, testregistry.Options{TLS: true, Users: map[string]string{testUser: testPassword}})
	good := auth.StaticCredential(reg.Host, auth.Credential{Username: testUser, Password: testPassword})
	dockerConfig, system := filepath.Join(t.TempDir(), "certs.d"), filepath.Join(t.TempDir(), "certs.d")
	tests := []struct {
		name     string
		certDirs []string
		want     []string
		// hinted is the CA file the hint names first, "" for none.
		hinted string
	}{
		{"the Docker config's and the system's", []string{dockerConfig, system},
			[]string{filepath.Join(dockerConfig, reg.Host, "ca.crt") + " (or " + filepath.Join(system, reg.Host, "ca.crt") + ")", "SSL_CERT_FILE"},
			filepath.Join(dockerConfig, reg.Host, "ca.crt")},
		{"one", []string{system}, []string{"put its CA in " + filepath.Join(system, reg.Host, "ca.crt") + " or SSL_CERT_FILE"}, filepath.Join(system, reg.Host, "ca.crt")},
		{"none", nil, []string{"add its CA to the system's or SSL_CERT_FILE"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			err := New(Options{Credential: good, CertDirs: tt.certDirs}).CheckPush(ctx, mustNamed(t, reg.Host+"/app"))
			if err == nil {
				t.Fatal("CheckPush trusted a certificate no CA given signs")
			}
			var refusal *HostError
			if !errors.As(err, &refusal) || !errors.Is(err, ErrUntrusted) || refusal.Host != reg.Host || strings.Contains(err.Error(), "--") {
				t.Errorf("error is not ErrUntrusted from %s naming no flag: %v", reg.Host, err)
			}
			for _, w := range append(tt.want, "not trusted") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "~/.docker") {
				t.Errorf("error names ~/.docker, which krust did not read:\n%v", err)
			}
			if tt.hinted == "" {
				return
			}
			// Follow the hint: the file it names is one krust reads.
			hinted := regexp.MustCompile(`put its CA in (\S+)`).FindStringSubmatch(err.Error())
			if hinted == nil || hinted[1] != tt.hinted {
				t.Fatalf("hint %q, want %s", hinted, tt.hinted)
			}
			ca, readErr := os.ReadFile(reg.CAFile)
			if readErr != nil {
				t.Fatal(readErr)
			}
			if err := os.MkdirAll(filepath.Dir(hinted[1]), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(hinted[1], ca, 0o644); err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(filepath.Dir(hinted[1]))
			if err := New(Options{Credential: good, CertDirs: tt.certDirs}).CheckPush(ctx, mustNamed(t, reg.Host+"/app")); err != nil {
				t.Errorf("with the CA where the hint says: %v", err)
			}
		})
	}
}
