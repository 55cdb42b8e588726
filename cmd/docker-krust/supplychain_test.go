package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/spf13/cobra"
)

// An unknown --sbom or --provenance stops the build before cargo builds
// anything: the whole command runs (cargo metadata included) on a real
// project, with --cargo pointing at a builder that records being run,
// and stdout stays empty.
func TestSupplyChainFlagsRefusedBeforeCargo(t *testing.T) {
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Fatalf("cargo is not installed: .ci/run installs it (see README): %v", err)
	}
	sbomChoices := "want spdx (SPDX 2.3 JSON, the default), cyclonedx (CycloneDX 1.6 JSON) or none"
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown --sbom", []string{"--sbom", "bogus"}, []string{`sbom "bogus" (--sbom)`, sbomChoices}},
		{"upper-case --sbom", []string{"--sbom=SPDX"}, []string{`sbom "SPDX" (--sbom)`, sbomChoices}},
		{"unknown --provenance", []string{"--provenance", "max"}, []string{`provenance "max" (--provenance)`, "want slsa", "or none"}},
		{"both", []string{"--sbom", "x", "--provenance", "y"}, []string{"(--sbom)", "(--provenance)"}},
		// The control: with good values the build goes on to the builder.
		{"good values", []string{"--sbom", "cyclonedx", "--provenance", "none"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			project := filepath.Join(dir, "app")
			writeTestFile(t, filepath.Join(project, "Cargo.toml"), "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n")
			writeTestFile(t, filepath.Join(project, "src", "main.rs"), "fn main() {}\n")
			marker := filepath.Join(dir, "builder-ran")
			builder := filepath.Join(dir, "builder")
			writeTestFile(t, builder, "#!/bin/sh\necho \"$@\" >> '"+marker+"'\nexit 1\n")
			if err := os.Chmod(builder, 0o755); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			env := &environment{
				stdout: &stdout, stderr: &stderr, face: "krust",
				// No krust config: only the flags give the settings.
				getenv: func(k string) string {
					if k == "XDG_CONFIG_HOME" {
						return filepath.Join(dir, "config")
					}
					return os.Getenv(k)
				},
				environ: os.Environ,
				dockerConfig: func() (*configfile.ConfigFile, error) {
					return configfile.New(filepath.Join(dir, "docker", "config.json")), nil
				},
			}
			cmd := newKrustCommand(env)
			cmd.SetArgs(append([]string{"build", "--no-push", "--libc", "glibc", "--base", "scratch", "--cargo", builder, project}, tt.args...))
			err := cmd.Execute()
			if tt.want == nil {
				if _, statErr := os.Stat(marker); statErr != nil {
					t.Fatalf("with good flags the builder never ran (%v); the build ended with %v", statErr, err)
				}
				return
			}
			if !errors.Is(err, config.ErrInvalidSetting) {
				t.Fatalf("error %v, want config.ErrInvalidSetting\nstderr:\n%s", err, stderr.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
			if ran, err := os.ReadFile(marker); err == nil {
				t.Errorf("the builder ran before the bad flag was reported: %s", ran)
			}
			if _, err := os.Stat(filepath.Join(project, "target")); !os.IsNotExist(err) {
				t.Errorf("target/ exists after the refused build (stat: %v)", err)
			}
		})
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The shell completes --sbom and --provenance with their values, and
// --sbom-dir with directories.
func TestCompleteSupplyChainFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--sbom", ""}, "spdx\ncyclonedx\nnone\n:4\n"},
		{[]string{"--provenance", ""}, "slsa\nnone\n:4\n"},
		{[]string{"--sbom-dir", ""}, ":16\n"},
	}
	for _, tt := range tests {
		t.Run(tt.args[0], func(t *testing.T) {
			var out bytes.Buffer
			env := testEnv(nil)
			env.stdout, env.face = &out, "krust"
			cmd := newKrustCommand(env)
			cmd.SetArgs(append([]string{cobra.ShellCompRequestCmd, "build"}, tt.args...))
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("completion %q, want %q", out.String(), tt.want)
			}
		})
	}
}
