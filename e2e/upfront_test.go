package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
)

// assertCargoNeverRan checks that a failed build stopped before cargo:
// cargo wrote nothing for the target and krust left no layout.
func assertCargoNeverRan(t *testing.T, project string, res result) {
	t.Helper()
	for _, dir := range []string{"x86_64-unknown-linux-gnu", "x86_64-unknown-linux-musl", "release", "krust"} {
		if _, err := os.Stat(filepath.Join(project, "target", dir)); !os.IsNotExist(err) {
			t.Errorf("target/%s exists after the failed build (stat: %v): cargo ran, or a layout was left", dir, err)
		}
	}
	if strings.Contains(res.stderr, "Compiling") {
		t.Errorf("cargo compiled before the problem was reported:\n%s", res.stderr)
	}
}

// TestRefusedCredentialsFailBeforeCargo: credentials the registry refuses
// (or none where it wants some) are found before cargo builds anything,
// wherever they come from.
func TestRefusedCredentialsFailBeforeCargo(t *testing.T) {
	requireTool(t, "cargo")
	reg := testregistry.Start(t, testregistry.Options{TLS: true, Users: map[string]string{regUser: regPassword}})
	none := func(*testing.T, string, string, string) []string { return nil }
	tests := []struct {
		name  string
		setup credentialSetup
		want  string
	}{
		{"wrong password in the docker config", dockerAuths, "refused the credentials"},
		{"wrong password from a credential helper", credentialHelper, "refused the credentials"},
		{"wrong password in the krust config", krustConfig, "refused the credentials"},
		{"no credentials", none, "wants credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := isolatedEnv(t)
			home := strings.TrimPrefix(env[0], "HOME=")
			trustCA(t, home, reg)
			env = append(env, tt.setup(t, home, reg.Host, "wrong-"+regPassword)...)
			project := copyExample(t, t.TempDir())
			res := krust(t, project, env, "build", "--libc", "glibc", "--base", "scratch", "--repo", reg.Host+"/denied")
			assertCleanFailure(t, res, tt.want, "docker login "+reg.Host)
			assertNoSecret(t, res)
			assertCargoNeverRan(t, project, res)
		})
	}
}

// TestProblemsReportedTogether: independent problems found before cargo
// runs are all reported in one run. The musl target cannot be installed
// here, so the default --libc musl is always one of them.
func TestProblemsReportedTogether(t *testing.T) {
	requireTool(t, "cargo")
	reg := testregistry.Start(t, testregistry.Options{TLS: true, Users: map[string]string{regUser: regPassword}})
	missingTarget := "rustup target add x86_64-unknown-linux-musl"
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"missing target and unreachable base", []string{"--no-push", "--base", "127.0.0.1:9/base/static:v1"},
			[]string{"2 problems", missingTarget, "cannot reach registry 127.0.0.1:9"}},
		{"missing target and unreachable registry to push to", []string{"--base", "scratch", "--repo", "127.0.0.1:9/team"},
			[]string{"2 problems", missingTarget, "cannot reach registry 127.0.0.1:9"}},
		{"missing target, base layout missing and refused credentials", []string{"--base", "oci:/nonexistent/base:v1", "--repo", reg.Host + "/team"},
			[]string{"3 problems", missingTarget, "/nonexistent/base", "docker login " + reg.Host}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := isolatedEnv(t)
			home := strings.TrimPrefix(env[0], "HOME=")
			trustCA(t, home, reg)
			env = append(env, dockerAuths(t, home, reg.Host, "wrong-"+regPassword)...)
			project := copyExample(t, t.TempDir())
			res := krust(t, project, env, append([]string{"build"}, tt.args...)...)
			assertCleanFailure(t, res, tt.want...)
			assertNoSecret(t, res)
			assertCargoNeverRan(t, project, res)
		})
	}
}
