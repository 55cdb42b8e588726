package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

const metadataCrate = `[package]
name = "configured"
version = "2.3.4"
edition = "2021"
description = "A configured service"
license = "MIT OR Apache-2.0"
repository = "https://example.com/team/configured"

[package.metadata.krust]
args = ["--serve"]
env = { RUST_LOG = "info" }
user = "1000:1000"
workdir = "/data"
ports = [8080, "53/udp"]
labels = { team = "platform" }
annotations = { "com.example.owner" = "platform" }
tags = ["v2", "stable"]
libc = "glibc"
base-image = "scratch"
`

func TestCargoTomlMetadataConfiguresTheImage(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "git")
	project := writeCrate(t, t.TempDir(), map[string]string{"Cargo.toml": metadataCrate, "src/main.rs": "fn main() {}\n"})
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "x"}} {
		mustRun(t, project, "git", args...)
	}
	head := strings.TrimSpace(mustRun(t, project, "git", "rev-parse", "HEAD"))
	refs := filepath.Join(t.TempDir(), "refs.txt")
	res := krust(t, project, append(isolatedEnv(t), "SOURCE_DATE_EPOCH=1700000000"), "build", "--no-push", "--image-refs", refs, "--env", "EXTRA=flag")
	dir := ociRef(t, res, "v2")
	if data, err := os.ReadFile(refs); err != nil || string(data) != res.stdout {
		t.Errorf("--image-refs wrote %q (%v), want the printed %q", data, err, res.stdout)
	}

	cfg := configFor(t, dir, "stable")
	c := cfg.Config
	if !slices.Equal(c.Cmd, []string{"--serve"}) || c.User != "1000:1000" || c.WorkingDir != "/data" {
		t.Errorf("cmd %q user %q workdir %q", c.Cmd, c.User, c.WorkingDir)
	}
	for _, kv := range []string{"RUST_LOG=info", "EXTRA=flag"} {
		if !slices.Contains(c.Env, kv) {
			t.Errorf("env %q lacks %s", c.Env, kv)
		}
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok || len(c.ExposedPorts) != 2 || c.Labels["team"] != "platform" {
		t.Errorf("ports %v labels %v", c.ExposedPorts, c.Labels)
	}
	want := map[string]string{
		ocispec.AnnotationTitle:       "configured",
		ocispec.AnnotationVersion:     "2.3.4",
		ocispec.AnnotationDescription: "A configured service",
		ocispec.AnnotationLicenses:    "MIT OR Apache-2.0",
		ocispec.AnnotationSource:      "https://example.com/team/configured",
		ocispec.AnnotationRevision:    head,
		ocispec.AnnotationCreated:     "2023-11-14T22:13:20Z",
		"com.example.owner":           "platform",
	}
	got := imageFor(t, dir, "v2").Annotations
	for k, v := range want {
		if got[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, got[k], v)
		}
	}

	writeFile(t, filepath.Join(project, "src", "main.rs"), "fn main() { println!(\"changed\"); }\n")
	dirty := krust(t, project, isolatedEnv(t), "build", "--no-push")
	dir = ociRef(t, dirty, "v2")
	if rev := imageFor(t, dir, "v2").Annotations[ocispec.AnnotationRevision]; rev != head+"-dirty" {
		t.Errorf("revision of a dirty checkout %q, want %s-dirty", rev, head)
	}
}

func TestMalformedSettingsNameFileAndLine(t *testing.T) {
	requireTool(t, "cargo")
	tests := []struct {
		name  string
		setup func(t *testing.T, project, home string)
		want  []string
	}{
		{"Cargo.toml metadata with a wrong type", func(t *testing.T, project, _ string) {
			writeCrate(t, project, map[string]string{"Cargo.toml": crateToml("bad") + "\n[package.metadata.krust]\nports = [8080]\nuser = 5\n", "src/main.rs": "fn main() {}\n"})
		}, []string{"Cargo.toml", "line 8"}},
		{"krust config that is not TOML", func(t *testing.T, project, home string) {
			helloCrate(t, project)
			writeFile(t, filepath.Join(home, ".config", "krust", "config.toml"), "base_image = \"x\"\nplatforms = [\"linux/amd64\"\n")
		}, []string{"config.toml", "line 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project := t.TempDir()
			env := isolatedEnv(t)
			tt.setup(t, project, strings.TrimPrefix(env[0], "HOME="))
			res := krust(t, project, env, glibcScratch...)
			assertCleanFailure(t, res, tt.want...)
			assertNoLayout(t, filepath.Join(project, "target", "krust"))
		})
	}
}

func TestUnknownMetadataKeysWarn(t *testing.T) {
	requireTool(t, "cargo")
	project := writeCrate(t, t.TempDir(), map[string]string{
		"Cargo.toml":  crateToml("warned") + "\n[package.metadata.krust]\nbase_image = \"scratch\"\n",
		"src/main.rs": "fn main() {}\n",
	})
	res := krust(t, project, isolatedEnv(t), glibcScratch...)
	ociRef(t, res, "latest")
	if !strings.Contains(res.stderr, `unknown key "base_image"`) {
		t.Errorf("no warning for an unknown metadata key:\n%s", res.stderr)
	}
}
