package e2e

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// face runs the binary as `docker --config DIR krust ARGS...` (plugin) or
// as `krust ARGS...` (standalone).
type face struct {
	name string
	run  func(t *testing.T, args ...string) result
}

func faces(t *testing.T) []face {
	requireTool(t, "docker")
	config := installPlugin(t)
	return []face{
		{"docker krust", func(t *testing.T, args ...string) result {
			// No Docker engine is needed: point DOCKER_HOST at nothing.
			return run(t, "", []string{"DOCKER_HOST=unix:///nonexistent.sock"}, "docker", append([]string{"--config", config, "krust"}, args...)...)
		}},
		{"krust", func(t *testing.T, args ...string) result { return krust(t, "", nil, args...) }},
	}
}

func TestBothFacesBehaveLikeDocker(t *testing.T) {
	for _, f := range faces(t) {
		t.Run(f.name, func(t *testing.T) {
			for _, typo := range []string{"buidl", "pushh", "verison"} {
				res := f.run(t, typo)
				want := map[string]string{"buidl": "build", "pushh": "push", "verison": "version"}[typo]
				assertCleanFailure(t, res, `unknown command "`+typo+`" for "`+f.name+`"`, "Did you mean this?\n\t"+want, "Run '"+f.name+" --help'")
			}
			res := f.run(t, "help", "build")
			if res.code != 0 || !strings.Contains(res.stdout, "--oci-layout") || !strings.Contains(res.stdout, "Build the Cargo project") {
				t.Errorf("help build: exit %d, stdout %q, want build's help", res.code, res.stdout)
			}
			if !strings.Contains(res.stdout, f.name+" build --platform") {
				t.Errorf("build's examples do not name the face %q:\n%s", f.name, res.stdout)
			}
			assertCleanFailure(t, f.run(t, "help", "nope"), `unknown command "nope"`)
			for _, args := range [][]string{{"--version"}, {"version"}} {
				res := f.run(t, args...)
				for _, w := range []string{"docker-krust ", "go: " + runtime.Version() + "\n", "commit: "} {
					if res.code != 0 || !strings.Contains(res.stdout, w) {
						t.Errorf("%v: exit %d, stdout %q, want %q", args, res.code, res.stdout, w)
					}
				}
			}
		})
	}
}

// Shell completion asks the program through cobra's hidden __complete
// command; docker forwards it to the plugin.
func TestCompletionOffersFlagValues(t *testing.T) {
	requireTool(t, "docker")
	config := installPlugin(t)
	complete := map[string]func(t *testing.T, args ...string) result{
		"docker krust": func(t *testing.T, args ...string) result {
			return run(t, "", nil, "docker", append([]string{"--config", config, "__complete", "krust"}, args...)...)
		},
		"krust": func(t *testing.T, args ...string) result {
			return run(t, "", nil, filepath.Join(h.binDir, "krust"), append([]string{"__complete"}, args...)...)
		},
	}
	tests := []struct {
		args []string
		want []string
		not  []string
	}{
		{[]string{"build", "--platform", ""}, []string{"linux/amd64", "linux/arm64", "linux/arm/v7", "all"}, nil},
		{[]string{"build", "--platform", "linux/amd64,"}, []string{"linux/amd64,linux/arm64", "linux/amd64,linux/arm/v7"}, []string{"linux/amd64,linux/amd64", "all"}},
		{[]string{"build", "--libc", ""}, []string{"musl", "glibc"}, nil},
		{[]string{"help", ""}, []string{"build", "push", "version"}, nil},
	}
	for name, c := range complete {
		for _, tt := range tests {
			t.Run(name+" "+strings.Join(tt.args, " "), func(t *testing.T) {
				res := c(t, tt.args...)
				if res.code != 0 {
					t.Fatalf("exit %d: %s", res.code, res.stderr)
				}
				lines := strings.Split(res.stdout, "\n")
				for _, w := range tt.want {
					if !containsLine(lines, w) {
						t.Errorf("completions %q lack %q", lines, w)
					}
				}
				for _, n := range tt.not {
					if containsLine(lines, n) {
						t.Errorf("completions %q offer %q", lines, n)
					}
				}
			})
		}
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// Hints fit the case: a missing builder says so and how to install it; a
// missing glibc target does not suggest --libc glibc; the log names the
// builder in use.
func TestHintsFitTheCase(t *testing.T) {
	requireTool(t, "cargo")
	tests := []struct {
		name string
		args []string
		want []string
		not  []string
	}{
		{"cross missing", append(glibcScratch, "--cargo", "cross"), []string{"cross is not on PATH", "cargo install cross"}, nil},
		{"cargo zigbuild missing", append(glibcScratch, "--cargo", "cargo zigbuild"), []string{"cargo-zigbuild is not on PATH", "cargo install --locked cargo-zigbuild"}, nil},
		{"glibc target missing", append(glibcScratch, "--platform", "linux/arm64"), []string{"rustup target add aarch64-unknown-linux-gnu"}, []string{"--libc glibc"}},
		{"musl target missing", []string{"build", "--no-push", "--base", "scratch"}, []string{"rustup target add x86_64-unknown-linux-musl", "--libc glibc"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			helloCrate(t, dir)
			res := krust(t, dir, nil, tt.args...)
			assertCleanFailure(t, res, tt.want...)
			for _, n := range tt.not {
				if strings.Contains(res.stderr, n) {
					t.Errorf("stderr says %q:\n%s", n, res.stderr)
				}
			}
			assertNoLayout(t, filepath.Join(dir, "target", "krust"))
		})
	}
}
