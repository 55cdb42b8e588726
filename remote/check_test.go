package remote

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// TestCheckPush runs the check made before cargo against real registries:
// it must refuse what the push would be refused for (missing or wrong
// credentials, an unreachable or untrusted registry) and pass the rest.
func TestCheckPush(t *testing.T) {
	t.Parallel()
	plain := startRegistry(t)
	secure := testregistry.Start(t, testregistry.Options{TLS: true, Users: map[string]string{testUser: testPassword}})
	certs := []string{certDirFor(t, secure)}
	good := auth.StaticCredential(secure.Host, auth.Credential{Username: testUser, Password: testPassword})
	bad := auth.StaticCredential(secure.Host, auth.Credential{Username: testUser, Password: "wrong-pw"})
	// An image in the plain registry, so a repository with tags is listed too.
	pushImage(t, New(Options{}), plain.Host, "tagged", writeImage(t, newStore(t), linuxAmd64, "check"), "v1", "v2")
	tests := []struct {
		name    string
		ref     string
		opts    Options
		wantErr []string
		wantIs  error
	}{
		{"right password, new repository", secure.Host + "/team/app", Options{CertDirs: certs, Credential: good}, nil, nil},
		{"no registry auth, new repository", plain.Host + "/team/app", Options{}, nil, nil},
		{"no registry auth, repository with tags", plain.Host + "/tagged", Options{}, nil, nil},
		{"wrong password", secure.Host + "/team/app", Options{CertDirs: certs, Credential: bad},
			[]string{"401", "refused the credentials", "docker login " + secure.Host}, ErrCredentialsRefused},
		{"no credentials", secure.Host + "/team/app", Options{CertDirs: certs},
			[]string{"wants credentials", "docker login " + secure.Host}, ErrNoCredentials},
		{"untrusted CA", secure.Host + "/team/app", Options{Credential: good}, []string{"not trusted"}, ErrUntrusted},
		{"untrusted CA, host named insecure", secure.Host + "/team/app", Options{Credential: good, Insecure: func(string) bool { return true }}, nil, nil},
		{"nothing listening", "127.0.0.1:9/team/app", Options{}, []string{"cannot reach"}, ErrUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := New(tt.opts).CheckPush(context.Background(), mustNamed(t, tt.ref))
			if tt.wantErr == nil {
				if err != nil {
					t.Errorf("CheckPush(%s): %v", tt.ref, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckPush(%s) succeeded, want an error", tt.ref)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("CheckPush error does not mention %q: %v", want, err)
				}
			}
			if tt.name == "no credentials" && !errors.Is(err, auth.ErrBasicCredentialNotFound) {
				t.Errorf("CheckPush error hides oras-go's own: %v", err)
			}
			if !errors.Is(err, tt.wantIs) || strings.Contains(err.Error(), "--") {
				t.Errorf("CheckPush error is not %v, or names a flag: %v", tt.wantIs, err)
			}
			if strings.Contains(err.Error(), testPassword) || strings.Contains(err.Error(), "wrong-pw") {
				t.Errorf("CheckPush error holds a password: %v", err)
			}
		})
	}
}
