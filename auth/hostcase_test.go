package auth_test

import (
	"context"
	"testing"

	"github.com/docker-krust/docker-krust/auth"
	"github.com/docker-krust/docker-krust/config"
	orasauth "oras.land/oras-go/v2/registry/remote/auth"
)

// Host names are not case-sensitive: credentials filed under a host as the
// user typed it (docker login LOCALHOST:5000, [registries."Registry.Example"])
// serve the host in any case, as krust asks for it (in lower case); an
// exact entry wins over one that differs in case.
func TestCredentialHostsAreNotCaseSensitive(t *testing.T) {
	isolate(t)
	docker := `{"auths": {
  "LOCALHOST:5000": {"auth": "` + b64("upper:up") + `"},
  "exact.example": {"auth": "` + b64("exact:ex") + `"},
  "EXACT.example": {"auth": "` + b64("other:ot") + `"}
}}`
	tests := []struct {
		name  string
		krust *config.Config
		host  string
		want  orasauth.Credential
	}{
		{"docker login in upper case", nil, "localhost:5000", orasauth.Credential{Username: "upper", Password: "up"}},
		{"krust config in mixed case", &config.Config{Registries: map[string]config.Registry{"Registry.Example:443": {Username: "k", Password: "kp"}}},
			"registry.example:443", orasauth.Credential{Username: "k", Password: "kp"}},
		{"an exact entry wins", nil, "exact.example", orasauth.Credential{Username: "exact", Password: "ex"}},
		{"another host is another host", nil, "localhost:5001", orasauth.EmptyCredential},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := auth.Resolver{Krust: tt.krust, Docker: loadDocker(t, docker)}
			got, err := r.Credential(context.Background(), tt.host)
			if err != nil || got != tt.want {
				t.Errorf("Credential(%s) = %+v, %v; want %+v", tt.host, got, err, tt.want)
			}
		})
	}
}

// A credential helper named for a host in another case is asked, with the
// key as the Docker config spells it.
func TestCredentialHelperHostsAreNotCaseSensitive(t *testing.T) {
	isolate(t)
	dir := installHelper(t, "krusttest", helperScript)
	r := auth.Resolver{Docker: loadDocker(t, `{"credHelpers": {"LOCALHOST:5443": "krusttest"}}`)}
	if _, err := r.Credential(context.Background(), "localhost:5443"); err != nil {
		t.Fatal(err)
	}
	if asked := askedURLs(t, dir); len(asked) != 1 || asked[0] != "LOCALHOST:5443" {
		t.Errorf("the helper was asked for %q, want the key as filed", asked)
	}
}
