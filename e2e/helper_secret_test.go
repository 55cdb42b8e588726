package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
)

// helperCanary stands for a secret a failing credential helper prints.
const helperCanary = "s3cr3t-canary"

func TestFailingCredentialHelperNeverShowsItsOutput(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "docker")
	reg := testregistry.Start(t, testregistry.Options{TLS: true, Users: map[string]string{regUser: regPassword}})
	project := copyExample(t, t.TempDir())
	helpers := []struct{ name, script string }{
		{"credentials JSON then exit 1", `printf '{"ServerURL":"%s","Username":"u","Secret":"` + helperCanary + `"}\n' "$url"; exit 1`},
		{"bare secret then exit 1", `echo ` + helperCanary + `; exit 1`},
		{"secret on stderr then exit 1", `echo "$url ` + helperCanary + `" >&2; exit 1`},
		{"bare secret and exit 0", `echo ` + helperCanary},
	}
	faces := []struct {
		name string
		run  func(t *testing.T, env []string, home string, args ...string) result
	}{
		{"krust", func(t *testing.T, env []string, _ string, args ...string) result {
			return krust(t, project, env, args...)
		}},
		{"docker krust", func(t *testing.T, env []string, home string, args ...string) result {
			config := installPlugin(t)
			for _, f := range []string{"config.json", filepath.Join("certs.d", reg.Host, "ca.crt")} {
				data, err := os.ReadFile(filepath.Join(home, ".docker", f))
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(config, f), string(data))
			}
			return run(t, project, append(env, "DOCKER_HOST=unix:///nonexistent.sock"), "docker", append([]string{"--config", config, "krust"}, args...)...)
		}},
	}
	for _, hp := range helpers {
		for _, f := range faces {
			for _, verbose := range []bool{false, true} {
				name := hp.name + "/" + f.name
				if verbose {
					name += " -v"
				}
				t.Run(name, func(t *testing.T) {
					env := isolatedEnv(t)
					home := strings.TrimPrefix(env[0], "HOME=")
					trustCA(t, home, reg)
					bin := filepath.Join(home, "bin")
					writeFile(t, filepath.Join(bin, "docker-credential-krustleak"), "#!/bin/sh\nurl=$(cat)\n"+hp.script+"\n")
					if err := os.Chmod(filepath.Join(bin, "docker-credential-krustleak"), 0o755); err != nil {
						t.Fatal(err)
					}
					writeFile(t, filepath.Join(home, ".docker", "config.json"), `{"credHelpers":{"`+reg.Host+`":"krustleak"}}`)
					env = append(env, "PATH="+bin+":"+os.Getenv("PATH"))
					args := []string{"build", "--libc", "glibc", "--base", "scratch", "--repo", reg.Host + "/leak"}
					if verbose {
						args = append(args, "-v")
					}
					res := f.run(t, env, home, args...)
					assertCleanFailure(t, res, "docker-credential-krustleak", reg.Host)
					if strings.Contains(res.stdout+res.stderr, "s3cr3t") {
						t.Errorf("the helper's output reached krust's output:\n%s", res.stderr)
					}
				})
			}
		}
	}
}
