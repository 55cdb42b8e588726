package main

import (
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/config"
	"github.com/spf13/cobra"
)

func testEnv(vars map[string]string) *environment {
	return &environment{
		stdout: io.Discard, stderr: io.Discard,
		getenv:  func(k string) string { return vars[k] },
		environ: func() []string { return nil },
	}
}

func TestBuildOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		cfg     *config.Config
		check   func(t *testing.T, dir string, cargoArgs []string, image, repo string, created time.Time)
		wantErr string
	}{
		{name: "defaults", args: nil, check: func(t *testing.T, dir string, cargoArgs []string, image, repo string, created time.Time) {
			if abs, _ := filepath.Abs("."); dir != abs || cargoArgs != nil || image != "" || repo != "" || created.Unix() != 0 {
				t.Errorf("dir %s cargo %v image %q repo %q created %v", dir, cargoArgs, image, repo, created)
			}
		}},
		{name: "directory and cargo args", args: []string{"proj", "--", "--features", "x", "--locked"}, check: func(t *testing.T, dir string, cargoArgs []string, _, _ string, _ time.Time) {
			if !filepath.IsAbs(dir) || filepath.Base(dir) != "proj" || !slices.Equal(cargoArgs, []string{"--features", "x", "--locked"}) {
				t.Errorf("dir %s cargo args %v", dir, cargoArgs)
			}
		}},
		{name: "environment names the image", env: map[string]string{"KRUST_IMAGE": "r.example/app", "KRUST_REPO": "r.example/team"}, check: func(t *testing.T, _ string, _ []string, image, repo string, _ time.Time) {
			if image != "r.example/app" || repo != "r.example/team" {
				t.Errorf("image %q repo %q", image, repo)
			}
		}},
		{name: "flags beat environment", args: []string{"-i", "flag.example/app", "--repo", "flag.example"}, env: map[string]string{"KRUST_IMAGE": "env/app", "KRUST_REPO": "env"}, check: func(t *testing.T, _ string, _ []string, image, repo string, _ time.Time) {
			if image != "flag.example/app" || repo != "flag.example" {
				t.Errorf("image %q repo %q", image, repo)
			}
		}},
		{name: "config default_registry is the last resort for the repo", cfg: &config.Config{DefaultRegistry: "cfg.example"}, check: func(t *testing.T, _ string, _ []string, _, repo string, _ time.Time) {
			if repo != "cfg.example" {
				t.Errorf("repo %q, want the config's", repo)
			}
		}},
		{name: "KRUST_REPO beats config default_registry", env: map[string]string{"KRUST_REPO": "env.example"}, cfg: &config.Config{DefaultRegistry: "cfg.example"}, check: func(t *testing.T, _ string, _ []string, _, repo string, _ time.Time) {
			if repo != "env.example" {
				t.Errorf("repo %q, want KRUST_REPO's", repo)
			}
		}},
		{name: "config cargo_args come before the command line's", args: []string{".", "--", "--locked"}, cfg: &config.Config{Build: config.Build{CargoArgs: []string{"--features", "x"}}}, check: func(t *testing.T, _ string, cargoArgs []string, _, _ string, _ time.Time) {
			if !slices.Equal(cargoArgs, []string{"--features", "x", "--locked"}) {
				t.Errorf("cargo args %q", cargoArgs)
			}
		}},
		{name: "SOURCE_DATE_EPOCH", env: map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}, check: func(t *testing.T, _ string, _ []string, _, _ string, created time.Time) {
			if created.Unix() != 1700000000 || created.Location() != time.UTC {
				t.Errorf("created %v", created)
			}
		}},
		{name: "bad SOURCE_DATE_EPOCH", env: map[string]string{"SOURCE_DATE_EPOCH": "-5"}, wantErr: "SOURCE_DATE_EPOCH"},
		{name: "two directories", args: []string{"a", "b"}, wantErr: "one project directory"},
		{name: "bad platform", args: []string{"--platform", "linux"}, wantErr: "--platform"},
		{name: "bad libc", args: []string{"--libc", "bionic"}, wantErr: "--libc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f buildFlags
			cmd := &cobra.Command{}
			f.register(cmd.Flags())
			if err := cmd.ParseFlags(tt.args); err != nil {
				t.Fatal(err)
			}
			cfg := tt.cfg
			if cfg == nil {
				cfg = &config.Config{}
			}
			opts, err := f.options(testEnv(tt.env), cfg, cmd, cmd.Flags().Args())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, opts.Dir, opts.CargoArgs, opts.Image, opts.Repo, opts.Created)
		})
	}
}

func TestIsPlugin(t *testing.T) {
	tests := []struct {
		argv0 string
		want  bool
	}{
		{"/usr/libexec/docker/cli-plugins/docker-krust", true},
		{"docker-krust", true},
		{"/usr/local/bin/krust", false},
		{"./krust", false},
	}
	for _, tt := range tests {
		t.Setenv("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND", "")
		if got := isPlugin([]string{tt.argv0}); got != tt.want {
			t.Errorf("isPlugin(%q) = %v, want %v", tt.argv0, got, tt.want)
		}
	}
}

func TestBaseImagePrecedence(t *testing.T) {
	tests := []struct {
		name string
		args []string
		cfg  config.Config
		want string
	}{
		{"default", nil, config.Config{}, defaultBase},
		{"config", nil, config.Config{BaseImage: "cfg.example/base:1"}, "cfg.example/base:1"},
		{"flag beats config", []string{"--base", "scratch"}, config.Config{BaseImage: "cfg.example/base:1"}, "scratch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f buildFlags
			cmd := &cobra.Command{}
			f.register(cmd.Flags())
			if err := cmd.ParseFlags(tt.args); err != nil {
				t.Fatal(err)
			}
			opts, err := f.options(testEnv(nil), &tt.cfg, cmd, cmd.Flags().Args())
			if err != nil || opts.Base != tt.want {
				t.Errorf("base %q (%v), want %q", opts.Base, err, tt.want)
			}
		})
	}
}
