package auth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/auth"
	"github.com/docker-krust/docker-krust/config"
	dockerconfig "github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	orasauth "oras.land/oras-go/v2/registry/remote/auth"
)

const hubKey = "https://index.docker.io/v1/"

// isolate keeps the environment from leaking into docker/cli's lookups:
// DOCKER_AUTH_CONFIG would override every config file.
func isolate(t *testing.T) {
	t.Helper()
	t.Setenv("DOCKER_AUTH_CONFIG", "")
	t.Setenv("DOCKER_CONFIG", t.TempDir())
}

// loadDocker writes content as config.json in a fresh directory and loads
// it the way the docker CLI does.
func loadDocker(t *testing.T, content string) *configfile.ConfigFile {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	cf, err := dockerconfig.Load(dir)
	if err != nil {
		t.Fatalf("load docker config: %v", err)
	}
	return cf
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestDockerConfigKey(t *testing.T) {
	tests := []struct {
		host string
		want string
	}{
		{"docker.io", hubKey},
		{"index.docker.io", hubKey},
		{"registry-1.docker.io", hubKey},
		{"ghcr.io", "ghcr.io"},
		{"registry.example.com", "registry.example.com"},
		{"127.0.0.1:5000", "127.0.0.1:5000"},
		{"localhost:5443", "localhost:5443"},
		{"docker.io:443", "docker.io:443"},
		{"registry-2.docker.io", "registry-2.docker.io"},
		{"mirror.docker.io.example", "mirror.docker.io.example"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if got := auth.DockerConfigKey(tt.host); got != tt.want {
				t.Errorf("DockerConfigKey(%q) = %q, want %q", tt.host, got, tt.want)
			}
		})
	}
}

func TestCredentialFromFiles(t *testing.T) {
	dockerJSON := `{
  "auths": {
    "127.0.0.1:5000": {"auth": "` + b64("dockeruser:dockerpass") + `"},
    "pass.example": {"auth": "` + b64("user:pa:ss") + `"},
    "identity.example": {"auth": "` + b64("iduser:") + `", "identitytoken": "refresh-123"},
    "token-only.example": {"identitytoken": "refresh-456"},
    "registry-token.example": {"registrytoken": "access-789"},
    "https://legacy.example/v1/": {"auth": "` + b64("legacy:old") + `"},
    "` + hubKey + `": {"auth": "` + b64("hubuser:hubpass") + `"}
  }
}`
	krust := &config.Config{Registries: map[string]config.Registry{
		"127.0.0.1:5000":     {Username: "krustuser", Password: "krustpass"},
		"krust-only.example": {Username: "k", Password: "kp"},
		"pass.example":       {}, // empty: falls through to Docker
	}}

	tests := []struct {
		name   string
		krust  *config.Config
		docker string // "" for a nil Docker config
		host   string
		want   orasauth.Credential
	}{
		{
			name:   "krust config docker.io entry serves the Hub's API host",
			krust:  &config.Config{Registries: map[string]config.Registry{"docker.io": {Username: "hub", Password: "hp"}}},
			docker: dockerJSON,
			host:   "registry-1.docker.io",
			want:   orasauth.Credential{Username: "hub", Password: "hp"},
		},
		{
			name:   "krust config wins over docker auths",
			krust:  krust,
			docker: dockerJSON,
			host:   "127.0.0.1:5000",
			want:   orasauth.Credential{Username: "krustuser", Password: "krustpass"},
		},
		{
			name:   "docker auths without krust config",
			docker: dockerJSON,
			host:   "127.0.0.1:5000",
			want:   orasauth.Credential{Username: "dockeruser", Password: "dockerpass"},
		},
		{
			name:   "empty krust entry falls through to docker",
			krust:  krust,
			docker: dockerJSON,
			host:   "pass.example",
			want:   orasauth.Credential{Username: "user", Password: "pa:ss"},
		},
		{
			name:  "krust only, nil docker",
			krust: krust,
			host:  "krust-only.example",
			want:  orasauth.Credential{Username: "k", Password: "kp"},
		},
		{
			name:   "identitytoken is a refresh token",
			docker: dockerJSON,
			host:   "identity.example",
			want:   orasauth.Credential{Username: "iduser", RefreshToken: "refresh-123"},
		},
		{
			name:   "identitytoken alone",
			docker: dockerJSON,
			host:   "token-only.example",
			want:   orasauth.Credential{RefreshToken: "refresh-456"},
		},
		{
			name:   "registrytoken is an access token",
			docker: dockerJSON,
			host:   "registry-token.example",
			want:   orasauth.Credential{AccessToken: "access-789"},
		},
		{
			name:   "legacy URL key matches its host name",
			docker: dockerJSON,
			host:   "legacy.example",
			want:   orasauth.Credential{Username: "legacy", Password: "old"},
		},
		{
			name:   "docker hub as docker.io",
			docker: dockerJSON,
			host:   "docker.io",
			want:   orasauth.Credential{Username: "hubuser", Password: "hubpass"},
		},
		{
			name:   "docker hub as index.docker.io",
			docker: dockerJSON,
			host:   "index.docker.io",
			want:   orasauth.Credential{Username: "hubuser", Password: "hubpass"},
		},
		{
			name:   "docker hub as registry-1.docker.io, as oras-go asks",
			docker: dockerJSON,
			host:   "registry-1.docker.io",
			want:   orasauth.Credential{Username: "hubuser", Password: "hubpass"},
		},
		{
			name:   "no entry anywhere",
			krust:  krust,
			docker: dockerJSON,
			host:   "nowhere.example",
			want:   orasauth.EmptyCredential,
		},
		{
			name:   "empty docker config",
			docker: `{}`,
			host:   "127.0.0.1:5000",
			want:   orasauth.EmptyCredential,
		},
		{
			name: "nil krust and nil docker",
			host: "127.0.0.1:5000",
			want: orasauth.EmptyCredential,
		},
		{
			name:  "empty krust config and nil docker",
			krust: &config.Config{},
			host:  "docker.io",
			want:  orasauth.EmptyCredential,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			r := auth.Resolver{Krust: tt.krust}
			if tt.docker != "" {
				r.Docker = loadDocker(t, tt.docker)
			}
			got, err := r.Credential(context.Background(), tt.host)
			if err != nil {
				t.Fatalf("Credential(%q): %v", tt.host, err)
			}
			if got != tt.want {
				t.Errorf("Credential(%q) = %+v, want %+v", tt.host, got, tt.want)
			}
		})
	}
}

// helperScript implements the credential helper protocol's get for a few
// server URLs; it appends every server URL it is asked for to its log.
const helperScript = `#!/bin/sh
log="$(dirname "$0")/asked.log"
[ "$1" = get ] || { echo "unsupported action $1"; exit 1; }
url=$(cat)
printf '%s\n' "$url" >>"$log"
case "$url" in
127.0.0.1:5443)
	printf '{"ServerURL":"%s","Username":"helperuser","Secret":"helpersecret"}\n' "$url" ;;
token.example:5443)
	printf '{"ServerURL":"%s","Username":"<token>","Secret":"identity-abc"}\n' "$url" ;;
https://index.docker.io/v1/)
	printf '{"ServerURL":"%s","Username":"hubhelper","Secret":"hubsecret"}\n' "$url" ;;
*)
	echo "credentials not found in native keychain"; exit 1 ;;
esac
`

const failingHelperScript = `#!/bin/sh
cat >/dev/null
echo boom
exit 1
`

// installHelper writes docker-credential-NAME into a directory put first on
// PATH and returns the directory.
func installHelper(t *testing.T, name, script string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "docker-credential-"+name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return dir
}

func askedURLs(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "asked.log"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(data))
}

func TestCredentialHelpers(t *testing.T) {
	tests := []struct {
		name      string
		krust     *config.Config
		docker    string
		host      string
		want      orasauth.Credential
		wantAsked []string // server URLs the helper was asked for
	}{
		{
			name:      "credHelpers entry",
			docker:    `{"credHelpers": {"127.0.0.1:5443": "krusttest"}}`,
			host:      "127.0.0.1:5443",
			want:      orasauth.Credential{Username: "helperuser", Password: "helpersecret"},
			wantAsked: []string{"127.0.0.1:5443"},
		},
		{
			name:      "credsStore",
			docker:    `{"credsStore": "krusttest"}`,
			host:      "127.0.0.1:5443",
			want:      orasauth.Credential{Username: "helperuser", Password: "helpersecret"},
			wantAsked: []string{"127.0.0.1:5443"},
		},
		{
			name:      "credHelpers wins over auths",
			docker:    `{"auths": {"127.0.0.1:5443": {"auth": "` + b64("fileuser:filepass") + `"}}, "credHelpers": {"127.0.0.1:5443": "krusttest"}}`,
			host:      "127.0.0.1:5443",
			want:      orasauth.Credential{Username: "helperuser", Password: "helpersecret"},
			wantAsked: []string{"127.0.0.1:5443"},
		},
		{
			name:      "credHelpers for another host leaves auths alone",
			docker:    `{"auths": {"other.example": {"auth": "` + b64("fileuser:filepass") + `"}}, "credHelpers": {"127.0.0.1:5443": "krusttest"}}`,
			host:      "other.example",
			want:      orasauth.Credential{Username: "fileuser", Password: "filepass"},
			wantAsked: nil,
		},
		{
			name:      "<token> username is an identity token (credHelpers)",
			docker:    `{"credHelpers": {"token.example:5443": "krusttest"}}`,
			host:      "token.example:5443",
			want:      orasauth.Credential{RefreshToken: "identity-abc"},
			wantAsked: []string{"token.example:5443"},
		},
		{
			name:      "<token> username is an identity token (credsStore)",
			docker:    `{"credsStore": "krusttest"}`,
			host:      "token.example:5443",
			want:      orasauth.Credential{RefreshToken: "identity-abc"},
			wantAsked: []string{"token.example:5443"},
		},
		{
			name:      "credsStore: not found in helper is anonymous",
			docker:    `{"credsStore": "krusttest"}`,
			host:      "unknown.example",
			want:      orasauth.EmptyCredential,
			wantAsked: []string{"unknown.example"},
		},
		{
			name:      "credHelpers: not found in helper is anonymous",
			docker:    `{"credHelpers": {"unknown.example": "krusttest"}}`,
			host:      "unknown.example",
			want:      orasauth.EmptyCredential,
			wantAsked: []string{"unknown.example"},
		},
		{
			name:      "docker hub through credsStore is asked with the hub URL",
			docker:    `{"credsStore": "krusttest"}`,
			host:      "registry-1.docker.io",
			want:      orasauth.Credential{Username: "hubhelper", Password: "hubsecret"},
			wantAsked: []string{hubKey},
		},
		{
			name:      "docker hub through credHelpers keyed by the hub URL",
			docker:    `{"credHelpers": {"` + hubKey + `": "krusttest"}}`,
			host:      "docker.io",
			want:      orasauth.Credential{Username: "hubhelper", Password: "hubsecret"},
			wantAsked: []string{hubKey},
		},
		{
			name:      "krust config wins and the helper is not run",
			krust:     &config.Config{Registries: map[string]config.Registry{"127.0.0.1:5443": {Username: "k", Password: "kp"}}},
			docker:    `{"credsStore": "krusttest"}`,
			host:      "127.0.0.1:5443",
			want:      orasauth.Credential{Username: "k", Password: "kp"},
			wantAsked: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			dir := installHelper(t, "krusttest", helperScript)
			r := auth.Resolver{Krust: tt.krust, Docker: loadDocker(t, tt.docker)}
			got, err := r.Credential(context.Background(), tt.host)
			if err != nil {
				t.Fatalf("Credential(%q): %v", tt.host, err)
			}
			if got != tt.want {
				t.Errorf("Credential(%q) = %+v, want %+v", tt.host, got, tt.want)
			}
			asked := askedURLs(t, dir)
			if strings.Join(asked, " ") != strings.Join(tt.wantAsked, " ") {
				t.Errorf("helper was asked for %q, want %q", asked, tt.wantAsked)
			}
		})
	}
}

func TestCredentialHelperErrors(t *testing.T) {
	tests := []struct {
		name   string
		docker string
		host   string
		helper string   // name of the failing helper to install, "" for none
		want   []string // substrings of the error
	}{
		{
			name:   "credHelpers helper fails",
			docker: `{"credHelpers": {"127.0.0.1:5443": "krustfail"}}`,
			host:   "127.0.0.1:5443",
			helper: "krustfail",
			want:   []string{"docker-credential-krustfail", "127.0.0.1:5443", "exit status 1", "docker login 127.0.0.1:5443"},
		},
		{
			name:   "credsStore helper fails",
			docker: `{"credsStore": "krustfail"}`,
			host:   "127.0.0.1:5443",
			helper: "krustfail",
			want:   []string{"docker-credential-krustfail", "127.0.0.1:5443", "exit status 1", "docker login 127.0.0.1:5443"},
		},
		{
			name:   "credsStore helper fails for docker hub",
			docker: `{"credsStore": "krustfail"}`,
			host:   "registry-1.docker.io",
			helper: "krustfail",
			want:   []string{"docker-credential-krustfail", "registry-1.docker.io", "exit status 1", "docker login registry-1.docker.io"},
		},
		{
			name:   "credHelpers names the helper over credsStore",
			docker: `{"credsStore": "krustother", "credHelpers": {"127.0.0.1:5443": "krustfail"}}`,
			host:   "127.0.0.1:5443",
			helper: "krustfail",
			want:   []string{"docker-credential-krustfail", "127.0.0.1:5443", "exit status 1", "docker login 127.0.0.1:5443"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			if tt.helper != "" {
				installHelper(t, tt.helper, failingHelperScript)
			}
			r := auth.Resolver{Docker: loadDocker(t, tt.docker)}
			got, err := r.Credential(context.Background(), tt.host)
			if err == nil {
				t.Fatalf("Credential(%q) = %+v, want an error", tt.host, got)
			}
			if got != orasauth.EmptyCredential {
				t.Errorf("Credential(%q) returned %+v along with the error", tt.host, got)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestHangingCredentialHelperTimesOut(t *testing.T) {
	isolate(t)
	installHelper(t, "krusthang", "#!/bin/sh\nsleep 60\n")
	r := auth.Resolver{Docker: loadDocker(t, `{"credsStore": "krusthang"}`), HelperTimeout: time.Second}
	start := time.Now()
	_, err := r.Credential(context.Background(), "127.0.0.1:5443")
	if !errors.Is(err, auth.ErrHelperNoAnswer) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "docker-credential-krusthang") {
		t.Fatalf("a hanging helper gave %v, want an error naming it", err)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("waited %v for a helper with a 1 s limit", elapsed)
	}
}

func TestMissingCredentialHelperWarnsAndGoesOn(t *testing.T) {
	tests := []struct {
		name, docker, host string
		want               orasauth.Credential
	}{
		{"credHelpers helper missing", `{"credHelpers": {"127.0.0.1:5443": "krustmissing"}}`, "127.0.0.1:5443", orasauth.EmptyCredential},
		{"credsStore helper missing", `{"credsStore": "krustmissing"}`, "ghcr.io", orasauth.EmptyCredential},
		{"auths still used", `{"credsStore": "krustmissing", "auths": {"ghcr.io": {"auth": "` + b64("u:p") + `"}}}`, "ghcr.io",
			orasauth.Credential{Username: "u", Password: "p"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			var warn strings.Builder
			r := auth.Resolver{Docker: loadDocker(t, tt.docker), Warn: &warn}
			got, err := r.Credential(context.Background(), tt.host)
			if err != nil || got != tt.want {
				t.Fatalf("Credential(%q) = %+v, %v; want %+v and no error", tt.host, got, err, tt.want)
			}
			if !strings.Contains(warn.String(), "docker-credential-krustmissing") || !strings.Contains(warn.String(), "not installed") {
				t.Errorf("warning %q does not name the missing helper", warn.String())
			}
		})
	}
}

// canary stands for a secret a helper prints; it must never reach an error.
const canary = "s3cr3t-canary"

func TestCredentialHelperOutputIsNeverShown(t *testing.T) {
	tests := []struct {
		name   string
		script string   // after reading the server URL
		want   []string // substrings of the error, besides the helper's name
	}{
		{"credentials JSON then exit 1",
			`printf '{"ServerURL":"%s","Username":"u","Secret":"` + canary + `"}\n' "$url"; exit 1`,
			[]string{"exit status 1", "docker login 127.0.0.1:5443", "echo 127.0.0.1:5443 | docker-credential-krustleak get"}},
		{"bare secret then exit 1", `echo ` + canary + `; exit 1`, []string{"exit status 1"}},
		{"secret on stderr then exit 2", `echo ` + canary + ` >&2; echo "$url: ` + canary + `" >&2; exit 2`, []string{"exit status 2"}},
		{"secret and not-found text then exit 1", `echo 'credentials not found in native keychain ` + canary + `'; exit 1`, []string{"exit status 1"}},
		{"bare secret and exit 0", `echo ` + canary, []string{"not the JSON credentials"}},
		{"JSON cut short and exit 0", `printf '{"Username":"u","Secret":"` + canary + `'`, []string{"not the JSON credentials"}},
		{"JSON with a secret of the wrong type and exit 0", `printf '{"Username":"u","Secret":["` + canary + `"]}'`, []string{"not the JSON credentials"}},
		{"killed by a signal", `echo ` + canary + `; kill -9 $$`, []string{"signal: killed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			installHelper(t, "krustleak", "#!/bin/sh\nurl=$(cat)\n"+tt.script+"\n")
			r := auth.Resolver{Docker: loadDocker(t, `{"credsStore": "krustleak"}`)}
			got, err := r.Credential(context.Background(), "127.0.0.1:5443")
			if err == nil {
				t.Fatalf("Credential = %+v, want an error", got)
			}
			if strings.Contains(err.Error(), canary) || strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("the error shows the helper's output: %v", err)
			}
			if !errors.Is(err, auth.ErrHelperFailed) {
				t.Errorf("error %v is not ErrHelperFailed", err)
			}
			for _, s := range append(tt.want, "docker-credential-krustleak", "127.0.0.1:5443") {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestStoppedCredentialHelperStopsItsChildren(t *testing.T) {
	isolate(t)
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	// The helper starts a child that outlives it unless its group is
	// stopped, and never answers.
	installHelper(t, "krustkids", "#!/bin/sh\nsleep 1000 &\necho $! >"+pidFile+"\nwait\n")
	r := auth.Resolver{Docker: loadDocker(t, `{"credsStore": "krustkids"}`), HelperTimeout: time.Minute}
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("interrupted by test")
	done := make(chan error, 1)
	go func() {
		_, err := r.Credential(ctx, "127.0.0.1:5443")
		done <- err
	}()
	pid := waitForFile(t, pidFile)
	cancel(stop)
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Credential did not return within 10 s of being stopped")
	}
	if !errors.Is(err, stop) || !strings.Contains(err.Error(), "docker-credential-krustkids") {
		t.Errorf("stopped helper gave %v, want an error naming it and wrapping the cause", err)
	}
	if data, err := os.ReadFile("/proc/" + pid + "/stat"); err == nil && !strings.Contains(string(data), ") Z ") {
		t.Errorf("the helper's child %s still runs after Credential returned", pid)
	}
}

// waitForFile polls for a file a helper writes once it runs, and returns
// its content without the newline.
func waitForFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil && strings.HasSuffix(string(data), "\n") {
			return strings.TrimSpace(string(data))
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s did not appear within 10 s", path)
	return ""
}
