package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// canary is a secret-shaped string put into one channel of a build: a
// failure names the channel it came from. A local one is a directory name
// of the build machine: it may be printed on stderr (cargo prints the
// paths it compiles), but never written into what krust writes or sends.
type canary struct {
	value, channel string
	local          bool
}

var canaries = []canary{
	{"LEAKproxyPW", "--config http.proxy password holding = ; and /", false},
	{"LEAKenvVALUE", "--config env.API_KEY value", false},
	{"LEAKindexPW", "--config registries.*.index password holding a space and /", false},
	{"LEAKunknownVALUE", "--config value of a key cargo does not know", false},
	{"LEAKxdgVALUE", "build.cargo_args of the krust config (XDG_CONFIG_HOME)", false},
	{"LEAKrepoPW", "Cargo.toml repository password holding /", false},
	{"LEAKhomePW", "Cargo.toml homepage password holding =", false},
	{"LEAKdescPW", "a URL in Cargo.toml's description", false},
	{"LEAKdepRepoPW", "a path dependency's repository", false},
	{"LEAKdepHomePW", "a path dependency's homepage holding %40 and a quote", false},
	{"LEAKgitRemotePW", "the project's git remote URL", false},
	{"LEAKbaseDir", "the directory of the oci: base", true},
	{"LEAKprojDir", "the directory holding the project", true},
	{"LEAKdepDir", "the directory of a path dependency outside the workspace", true},
	{"LEAKgitDepDir", "the directory of a git dependency (file:// URL)", true},
	{"LEAKlibDir", "a path in build.rustflags", true},
}

// TestNoSecretNorLocalPathLeavesTheMachine feeds one set of secret-shaped
// inputs through every channel of one build at once: cargo arguments
// after -- (--config of several kinds), the krust config's
// build.cargo_args, Cargo.toml's repository, homepage and description
// with user information, a path dependency with such a repository, a git
// dependency and an oci: base in directories whose names are canaries, a
// git remote with credentials. The build pushes to a registry, loads the
// Docker Engine, writes a --tarball, --sbom-dir and --image-refs, with -v.
// Then every byte krust wrote or sent is searched: every file of the
// layout (gzip layers uncompressed too), the --sbom-dir files,
// --image-refs, stdout and stderr, the registry's storage and log, the
// tarball's members, and what the engine holds (image inspect, history).
func TestNoSecretNorLocalPathLeavesTheMachine(t *testing.T) {
	for _, tool := range []string{"cargo", "git", "docker"} {
		requireTool(t, tool)
	}
	reg := testregistry.Start(t, testregistry.Options{})
	env, home, root, base, project := leakySetup(t)

	tag := fmt.Sprintf("secrets-%d", time.Now().UnixNano())
	repo := reg.Host + "/leak"
	removeImage(t, repo+"/hello-krust:"+tag)
	out := filepath.Join(root, "out")
	// krust creates --oci-layout and --sbom-dir, not the directory a
	// --tarball or --image-refs file goes into.
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	layoutDir, sbomDir, refs, tarball := filepath.Join(out, "layout"), filepath.Join(out, "sbom"), filepath.Join(out, "refs"), filepath.Join(out, "image.tar")
	res := krust(t, project, env, "build", "-v", "--libc", "glibc", "--base", base, "--repo", repo, "--tag", tag,
		"--load", "--tarball", tarball, "--oci-layout", layoutDir, "--sbom-dir", sbomDir, "--image-refs", refs,
		"--",
		"--config", `http.proxy="http://user:p=ss;w/LEAKproxyPW@proxy.invalid:3128"`,
		"--config", `env.API_KEY="LEAKenvVALUE"`,
		`--config=registries.leak.index="https://u:p w/LEAKindexPW@registry.invalid/index"`,
		"--config", `my.unknown.key="LEAKunknownVALUE"`,
		"--config", `build.rustflags=["-L", "`+filepath.Join(root, "LEAKlibDir", "lib")+`"]`,
		"--config", "profile.release.opt-level=3",
	)
	pushedRef(t, res, repo+"/hello-krust")

	sinks := []sink{{"stdout", []byte(res.stdout), false}, {"stderr (-v)", []byte(res.stderr), true}}
	sinks = append(sinks, filesUnder(t, "the layout", layoutDir)...)
	sinks = append(sinks, filesUnder(t, "--sbom-dir", sbomDir)...)
	sinks = append(sinks, filesUnder(t, "--image-refs", refs)...)
	sinks = append(sinks, filesUnder(t, "krust's files in target/krust", filepath.Join(project, "target", "krust"))...)
	sinks = append(sinks, filesUnder(t, "the registry's storage", filepath.Join(reg.Dir, "data"))...)
	sinks = append(sinks, filesUnder(t, "the registry's log", reg.LogFile)...)
	sinks = append(sinks, tarMembers(t, "--tarball", tarball)...)
	sinks = append(sinks, engineView(t, repo+"/hello-krust:"+tag)...)
	realHome, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	// The machine's own directories: the test's, the home krust ran
	// with, and the user's real one (rustup's and cargo's homes).
	local := append(slices.Clone(canaries), canary{root, "the test's directory", true},
		canary{home, "HOME", true}, canary{filepath.Join(realHome, ".cargo"), "CARGO_HOME", true},
		canary{filepath.Join(realHome, ".rustup"), "RUSTUP_HOME", true})
	total := 0
	for _, s := range sinks {
		total += len(s.data)
	}
	t.Logf("searched %d files and streams (%d bytes) for %d canaries", len(sinks), total, len(local))
	for _, s := range sinks {
		for _, c := range local {
			if c.local && s.local {
				continue
			}
			if strings.Contains(string(s.data), c.value) {
				t.Errorf("%s (%s) is in %s:\n%s", c.value, c.channel, s.name, excerpt(s.data, c.value))
			}
		}
	}
	checkRecorded(t, sbomDir, res.stderr)
	a := imageFor(t, layoutDir, tag).Annotations
	for key, want := range map[string]string{ocispec.AnnotationSource: "https://git.example.invalid/x",
		ocispec.AnnotationDescription: "see https://example.invalid/docs", ocispec.AnnotationBaseImageName: ""} {
		if a[key] != want {
			t.Errorf("annotation %s = %q, want %q", key, a[key], want)
		}
	}
}

// checkRecorded: what may be recorded is, so the test above is not passed
// by a build that recorded nothing.
func checkRecorded(t *testing.T, sbomDir, stderr string) {
	t.Helper()
	want := map[string][]string{
		"hello-krust.provenance.json": {`"http.proxy=<redacted>"`, `"env.API_KEY=<redacted>"`, `"env.XDG_TOKEN=<redacted>"`,
			`"--config=registries.leak.index=<redacted>"`, `"my.unknown.key=<redacted>"`,
			`"build.rustflags=[\"-L\", \"<local>/lib\"]"`, `"profile.release.opt-level=3"`,
			`"oci:<local>/layout:base"`, `"git+https://git.example.invalid/x@`},
		"hello-krust.spdx.json": {"<local>/dep", "https://git.example.invalid/dep", "https://example.invalid/dep-home",
			"git+file://<local>/gitdep@", "https://example.invalid/home", "see https://example.invalid/docs"},
	}
	for name, wants := range want {
		data := readFileString(t, filepath.Join(sbomDir, name))
		for _, w := range wants {
			if !strings.Contains(data, w) {
				t.Errorf("%s lacks %s:\n%s", name, w, data)
			}
		}
	}
	for _, w := range []string{"running: ", "--config http.proxy=<redacted>", "--config profile.release.opt-level=3"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("-v lacks %q:\n%s", w, stderr)
		}
	}
}

// TestErrorsQuoteNoSecret: an error about a value the user gave names it
// without the credentials it holds, whatever the password holds.
func TestErrorsQuoteNoSecret(t *testing.T) {
	requireTool(t, "cargo")
	project := copyExample(t, t.TempDir())
	tests := []struct {
		name string
		env  []string
		args []string
		want string // in stderr
	}{
		{"--repo as a URL", nil, []string{"--repo", "https://user:p=ss;w/LEAKrepoFlag@ghcr.io/me"}, "https://ghcr.io/me"},
		{"--repo with user and password", nil, []string{"--repo", "user:p/LEAKrepoUser@ghcr.io/me"}, `"ghcr.io/me`},
		{"KRUST_REPO", []string{"KRUST_REPO=https://u:LEAKkrustRepo@ghcr.io/me"}, nil, "https://ghcr.io/me"},
		{"--base with user and password", nil, []string{"--no-push", "--base", "u:LEAKbaseFlag@ghcr.io/x:1"}, `"ghcr.io/x:1"`},
		{"--base as a URL", nil, []string{"--no-push", "--base", "https://u:p w/LEAKbaseURL@ghcr.io/x:1"}, `"https://ghcr.io/x:1"`},
		{"--image with a token", nil, []string{"--image", "LEAKimageTok@ghcr.io/me/app"}, `"ghcr.io/me/app"`},
		{"krust push to a reference with a token", nil, []string{"push", "{layout}", "u:p/LEAKpushRef@127.0.0.1:5999/x:1"}, `"127.0.0.1:5999/x:1"`},
		{"--config that is no TOML", nil, []string{"--no-push", "--", "--config", "env.API_KEY=LEAKnotToml"}, "env.API_KEY=<redacted>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"build", "-v", "--libc", "glibc"}, tt.args...)
			if !slices.Contains(args, "--base") {
				args = slices.Insert(args, 1, "--base", "scratch")
			}
			if len(tt.args) > 0 && tt.args[0] == "push" {
				args = []string{"push", makeBase(t), tt.args[2]}
			}
			res := krust(t, project, append(isolatedEnv(t), tt.env...), args...)
			if res.code == 0 || res.stdout != "" {
				t.Fatalf("exit %d, stdout %q: want a failure and nothing on stdout", res.code, res.stdout)
			}
			if strings.Contains(res.stderr, "LEAK") || !strings.Contains(res.stderr, tt.want) {
				t.Errorf("stderr holds the secret or lacks %s:\n%s", tt.want, res.stderr)
			}
		})
	}
}

// The same secret-shaped inputs through krust resolve and apply: the YAML
// on stdout, kubectl's stdin, stderr with -v, and what is pushed hold
// none of them, nor a local path, but where stderr may name one.
func TestResolveLeaksNothing(t *testing.T) {
	reg := testregistry.Start(t, testregistry.Options{})
	env, home, root, base, project := leakySetup(t)
	writeFile(t, filepath.Join(project, "k8s.yaml"), "kind: ConfigMap\ndata:\n  image: krust://hello-krust\n  again: \"krust://.\"\n")
	stub := filepath.Join(root, "kubectl-stub")
	writeFile(t, stub, "#!/bin/sh\ncat > '"+root+"/kubectl-stdin'\n")
	mustDo(t, os.Chmod(stub, 0o755))
	env = append(env, "KRUST_REPO="+reg.Host+"/leak", "KUBECTL="+stub)
	flags := []string{"-v", "-f", "k8s.yaml", "--libc", "glibc", "--base", base, "--insecure-registry", reg.Host}
	resolved := krust(t, project, env, append([]string{"resolve"}, flags...)...)
	applied := krust(t, project, env, append([]string{"apply"}, flags...)...)
	for _, res := range []result{resolved, applied} {
		if res.code != 0 {
			t.Fatalf("exit %d\n%s", res.code, res.stderr)
		}
	}
	if !strings.Contains(resolved.stdout, "image: "+reg.Host+"/leak/hello-krust@sha256:") {
		t.Fatalf("resolve printed %q", resolved.stdout)
	}
	// Not resolve's bytes: the first build's Cargo.lock makes the git
	// checkout dirty, and the revision annotation says so.
	stdin, err := os.ReadFile(filepath.Join(root, "kubectl-stdin"))
	if err != nil || !strings.Contains(string(stdin), "image: "+reg.Host+"/leak/hello-krust@sha256:") {
		t.Errorf("kubectl read %q (%v), want the resolved YAML", stdin, err)
	}
	sinks := []sink{{"resolve's stdout", []byte(resolved.stdout), false}, {"resolve's stderr (-v)", []byte(resolved.stderr), true},
		{"apply's stderr (-v)", []byte(applied.stderr), true}, {"kubectl's stdin", stdin, false}}
	sinks = append(sinks, filesUnder(t, "the registry's storage", filepath.Join(reg.Dir, "data"))...)
	local := append(slices.Clone(canaries), canary{root, "the test's directory", true}, canary{home, "HOME", true})
	for _, s := range sinks {
		for _, c := range local {
			if (!c.local || !s.local) && strings.Contains(string(s.data), c.value) {
				t.Errorf("%s (%s) is in %s:\n%s", c.value, c.channel, s.name, excerpt(s.data, c.value))
			}
		}
	}
}

// leakySetup makes the secret-shaped inputs of the sweeps above: an
// isolated environment whose krust config passes a canary to cargo, an
// oci: base and the leaky project in directories named by canaries. It
// returns the environment, its HOME, the directory holding the rest, the
// base's reference and the project's directory.
func leakySetup(t *testing.T) (env []string, home, root, base, project string) {
	t.Helper()
	env = isolatedEnv(t)
	home = strings.TrimPrefix(env[0], "HOME=")
	writeFile(t, filepath.Join(home, ".config", "krust", "config.toml"),
		"[build]\ncargo_args = [\"--config\", \"env.XDG_TOKEN=\\\"LEAKxdgVALUE\\\"\"]\n")
	root = t.TempDir()
	base = leakyBase(t, filepath.Join(root, "LEAKbaseDir"))
	project = leakyProject(t, filepath.Join(root, "LEAKprojDir"), filepath.Join(root, "LEAKgitDepDir"))
	return env, home, root, base, project
}
