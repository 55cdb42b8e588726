package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker/cli/cli/config/configfile"
)

// A bad value is blamed on where it came from: the flag when a flag gave
// it, Cargo.toml or the krust config when they did, never a flag no one
// gave. The whole command runs on a real project (cargo metadata
// included); the builders named are not installed, so nothing is built.
func TestBadValuesBlameTheirSource(t *testing.T) {
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Fatalf("cargo is not installed: .ci/run installs it (see README): %v", err)
	}
	const missing = "krust-no-such-builder"
	tests := []struct {
		name          string
		args          []string
		metadata      string // [package.metadata.krust] of Cargo.toml
		config        string // the krust config
		is            error
		want, notWant string // want: PROJECT and CONFIG stand for the files
	}{
		{"libc from a flag", []string{"--libc", "uclibc"}, "", "", config.ErrInvalidSetting,
			`libc "uclibc" (--libc): want musl`, ""},
		{"libc from Cargo.toml", nil, `libc = "uclibc"`, "", config.ErrInvalidSetting,
			`libc "uclibc" (libc in PROJECT [package.metadata.krust]): want musl`, "--libc"},
		{"libc from the krust config", nil, "", `libc = "uclibc"`, config.ErrInvalidSetting,
			`libc "uclibc" (libc in CONFIG): want musl`, "--libc"},
		{"builder from a flag", []string{"--cargo", missing}, "", "", cargo.ErrBuilderMissing,
			missing + " is not on PATH: install it, or drop --cargo to build with cargo", ""},
		{"builder from Cargo.toml", nil, `cargo = "` + missing + `"`, "", cargo.ErrBuilderMissing,
			missing + " is not on PATH: install it, or drop cargo in PROJECT [package.metadata.krust] to build with cargo", "--cargo"},
		{"builder from the krust config", nil, "", `cargo = "` + missing + `"`, cargo.ErrBuilderMissing,
			missing + " is not on PATH: install it, or drop cargo in CONFIG to build with cargo", "--cargo"},
		{"flag over Cargo.toml", []string{"--cargo", missing}, `cargo = "cross"`, "", cargo.ErrBuilderMissing,
			"or drop --cargo to build with cargo", "Cargo.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			manifest := filepath.Join(dir, "app", "Cargo.toml")
			configFile := filepath.Join(dir, "config", "krust", "config.toml")
			writeTestFile(t, manifest, "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[package.metadata.krust]\n"+tt.metadata+"\n")
			writeTestFile(t, filepath.Join(dir, "app", "src", "main.rs"), "fn main() {}\n")
			writeTestFile(t, configFile, tt.config+"\n")
			var stdout, stderr bytes.Buffer
			env := &environment{
				stdout: &stdout, stderr: &stderr, face: "krust", environ: os.Environ,
				getenv: func(k string) string {
					if k == "XDG_CONFIG_HOME" {
						return filepath.Join(dir, "config")
					}
					return os.Getenv(k)
				},
				dockerConfig: func() (*configfile.ConfigFile, error) {
					return configfile.New(filepath.Join(dir, "docker", "config.json")), nil
				},
			}
			cmd := newKrustCommand(env)
			cmd.SetArgs(append([]string{"build", "--no-push", "--base", "scratch", filepath.Dir(manifest)}, tt.args...))
			err := cmd.Execute()
			want := strings.NewReplacer("PROJECT", manifest, "CONFIG", configFile).Replace(tt.want)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v\nwant %v saying %q", err, tt.is, want)
			}
			if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("error names %q, where the value did not come from: %v", tt.notWant, err)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}
