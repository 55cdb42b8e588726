package e2e

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
)

const (
	regUser     = "krust-ci"
	regPassword = "pw-9f3b1c-never-printed"
)

// credentialSetup writes one place credentials can come from into the
// isolated environment env describes, and returns extra variables.
type credentialSetup func(t *testing.T, home, host, password string) []string

func dockerAuths(t *testing.T, home, host, password string) []string {
	auth := base64.StdEncoding.EncodeToString([]byte(regUser + ":" + password))
	writeFile(t, filepath.Join(home, ".docker", "config.json"), `{"auths":{"`+host+`":{"auth":"`+auth+`"}}}`)
	return nil
}

func credentialHelper(t *testing.T, home, host, password string) []string {
	bin := filepath.Join(home, "bin")
	script := "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread url\n" +
		"if [ \"$url\" = \"" + host + "\" ]; then printf '{\"ServerURL\":\"%s\",\"Username\":\"" + regUser + "\",\"Secret\":\"" + password + "\"}' \"$url\"; exit 0; fi\n" +
		"echo 'credentials not found in native keychain'; exit 1\n"
	writeFile(t, filepath.Join(bin, "docker-credential-krustci"), script)
	if err := os.Chmod(filepath.Join(bin, "docker-credential-krustci"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(home, ".docker", "config.json"), `{"credHelpers":{"`+host+`":"krustci"}}`)
	return []string{"PATH=" + bin + ":" + os.Getenv("PATH")}
}

func krustConfig(t *testing.T, home, host, password string) []string {
	path := filepath.Join(home, ".config", "krust", "config.toml")
	writeFile(t, path, "[registries.\""+host+"\"]\nusername = \""+regUser+"\"\npassword = \""+password+"\"\n")
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return nil
}

// trustCA puts the registry's CA where Docker keeps per-host CAs, under the
// isolated DOCKER_CONFIG.
func trustCA(t *testing.T, home string, reg *testregistry.Registry) {
	data, err := os.ReadFile(reg.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(home, ".docker", "certs.d", reg.Host, "ca.crt"), string(data))
}

func TestPushWithCredentials(t *testing.T) {
	requireTool(t, "cargo")
	reg := testregistry.Start(t, testregistry.Options{TLS: true, Users: map[string]string{regUser: regPassword}})
	project := copyExample(t, t.TempDir())
	sources := []struct {
		name  string
		setup credentialSetup
	}{
		{"docker config auths", dockerAuths},
		{"credential helper", credentialHelper},
		{"krust config", krustConfig},
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			env := isolatedEnv(t)
			home := strings.TrimPrefix(env[0], "HOME=")
			trustCA(t, home, reg)
			env = append(env, src.setup(t, home, reg.Host, regPassword)...)
			res := krust(t, project, env, "build", "-v", "--libc", "glibc", "--base", "scratch", "--repo", reg.Host+"/"+strings.ReplaceAll(src.name, " ", "-"))
			pushedRef(t, res, reg.Host+"/"+strings.ReplaceAll(src.name, " ", "-")+"/hello-krust")
			assertNoSecret(t, res)
			if !strings.Contains(res.stderr, "http: ") {
				t.Errorf("-v printed no request lines:\n%s", res.stderr)
			}
		})
		t.Run(src.name+" with a wrong password", func(t *testing.T) {
			env := isolatedEnv(t)
			home := strings.TrimPrefix(env[0], "HOME=")
			trustCA(t, home, reg)
			env = append(env, src.setup(t, home, reg.Host, "wrong-"+regPassword)...)
			res := krust(t, project, env, "build", "-v", "--libc", "glibc", "--base", "scratch", "--repo", reg.Host+"/denied")
			assertCleanFailure(t, res, "401", "docker login "+reg.Host)
			assertNoSecret(t, res)
		})
	}
}

func TestUntrustedRegistryIsRefused(t *testing.T) {
	requireTool(t, "cargo")
	reg := testregistry.Start(t, testregistry.Options{TLS: true})
	project := copyExample(t, t.TempDir())
	env := isolatedEnv(t)
	res := krust(t, project, env, "build", "--libc", "glibc", "--base", "scratch", "--repo", reg.Host+"/x")
	assertCleanFailure(t, res, "not trusted", "--insecure-registry "+reg.Host)
	res = krust(t, project, env, "build", "--libc", "glibc", "--base", "scratch", "--repo", reg.Host+"/x", "--insecure-registry", reg.Host)
	pushedRef(t, res, reg.Host+"/x/hello-krust")
	res = krust(t, project, append(env, "SSL_CERT_FILE="+reg.CAFile), "build", "--libc", "glibc", "--base", "scratch", "--repo", reg.Host+"/y")
	pushedRef(t, res, reg.Host+"/y/hello-krust")
}

func TestSharedPasswordFileWarns(t *testing.T) {
	requireTool(t, "cargo")
	env := isolatedEnv(t)
	home := strings.TrimPrefix(env[0], "HOME=")
	krustConfig(t, home, "127.0.0.1:9", regPassword)
	path := filepath.Join(home, ".config", "krust", "config.toml")
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	project := copyExample(t, t.TempDir())
	res := krust(t, project, env, glibcScratch...)
	ociRef(t, res, "latest")
	if !strings.Contains(res.stderr, "readable by other users") || !strings.Contains(res.stderr, "chmod 600 "+path) {
		t.Errorf("no warning about a password file others can read:\n%s", res.stderr)
	}
	assertNoSecret(t, res)
}

func assertNoSecret(t *testing.T, res result) {
	t.Helper()
	basic := base64.StdEncoding.EncodeToString([]byte(regUser + ":" + regPassword))
	for _, secret := range []string{"pw-9f3b1c", basic, "Authorization", "Basic "} {
		if strings.Contains(res.stdout+res.stderr, secret) {
			t.Errorf("output contains %q:\n%s", secret, res.stderr)
		}
	}
}

func TestPluginUsesDockerConfigFlag(t *testing.T) {
	requireTool(t, "docker")
	requireTool(t, "cargo")
	reg := testregistry.Start(t, testregistry.Options{TLS: true, Users: map[string]string{regUser: regPassword}})
	config := installPlugin(t)
	env := isolatedEnv(t)
	// The credentials and CA live only in the directory given to
	// docker --config, not in DOCKER_CONFIG.
	auth := base64.StdEncoding.EncodeToString([]byte(regUser + ":" + regPassword))
	writeFile(t, filepath.Join(config, "config.json"), `{"auths":{"`+reg.Host+`":{"auth":"`+auth+`"}}}`)
	ca, err := os.ReadFile(reg.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(config, "certs.d", reg.Host, "ca.crt"), string(ca))
	project := copyExample(t, t.TempDir())
	res := run(t, project, env, "docker", "--config", config, "krust", "build", "--libc", "glibc", "--base", "scratch", "--repo", reg.Host+"/plugin")
	pushedRef(t, res, reg.Host+"/plugin/hello-krust")
	assertNoSecret(t, res)
}
