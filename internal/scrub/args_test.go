package scrub

import (
	"slices"
	"strings"
	"testing"
)

func TestCargoArgs(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      []string
		forbidden string
		local     bool // forbidden is a path, which the log keeps
	}{
		{
			name: "build settings kept",
			args: []string{"--locked", "-p", "hello@1.2.3", "--features", "a,b/c", "-F=x", "--profile", "dist", "--bin", "app", "-j4", "--all-features"},
			want: []string{"--locked", "-p", "hello@1.2.3", "--features", "a,b/c", "-F=x", "--profile", "dist", "--bin", "app", "-j4", "--all-features"},
		},
		{
			name: "short clusters",
			args: []string{"-vq", "-vFa,b", "-vF", "c", "-Zbuild-std=std", "-rp", "x"},
			want: []string{"-vq", "-vFa,b", "-vF", "c", "-Zbuild-std=std", "-rp", "x"},
		},
		{
			name: "optional values take no option",
			args: []string{"--bin", "--locked", "-p", "-v", "--target"},
			want: []string{"--bin", "--locked", "-p", "-v", "--target"},
		},
		{
			name:      "paths of the machine",
			args:      []string{"--manifest-path", "/home/alice/src/app/Cargo.toml", "--target-dir=/home/alice/t", "--config", "/home/alice/.cargo/ci.toml", "--lockfile-path", "../../home/alice/Cargo.lock"},
			want:      []string{"--manifest-path", "<local>/Cargo.toml", "--target-dir=<local>/t", "--config", "<local>/ci.toml", "--lockfile-path", "<local>/Cargo.lock"},
			forbidden: "alice",
			local:     true,
		},
		{
			name: "relative paths and ~ kept",
			args: []string{"--manifest-path", "crates/app/Cargo.toml", "--config", "~/.cargo/ci.toml"},
			want: []string{"--manifest-path", "crates/app/Cargo.toml", "--config", "~/.cargo/ci.toml"},
		},
		{
			name:      "unknown options keep their name only",
			args:      []string{"--token=SECRET", "--new-option", "SECRET", "-x", "-xSECRET", "SECRET"},
			want:      []string{"--token=<redacted>", "--new-option", "<redacted>", "-x", "<redacted>", "<redacted>"},
			forbidden: "SECRET",
		},
		{
			name:      "a switch given a value",
			args:      []string{"--locked=SECRET"},
			want:      []string{"--locked=<redacted>"},
			forbidden: "SECRET",
		},
		{
			name:      "after --",
			args:      []string{"--locked", "--", "--features", "SECRET"},
			want:      []string{"--locked", "--", "<redacted>", "<redacted>"},
			forbidden: "SECRET",
		},
		{
			name:      "a package spec holding a URL",
			args:      []string{"-p", "https://alice:SECRET@git.example.com/r#app@1.0.0"},
			want:      []string{"-p", "https://git.example.com/r#app@1.0.0"},
			forbidden: "SECRET",
		},
		{
			name:      "--config values",
			args:      []string{"--config", `http.proxy="http://user:p=SECRET@proxy:3128"`, `--config=env.API_KEY="SECRET"`, "--config", "profile.release.lto=true"},
			want:      []string{"--config", "http.proxy=<redacted>", "--config=env.API_KEY=<redacted>", "--config", "profile.release.lto=true"},
			forbidden: "SECRET",
		},
		{
			name: "--config last, without a value",
			args: []string{"--config"},
			want: []string{"--config"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CargoArgs(tt.args)
			if !slices.Equal(got, tt.want) {
				t.Errorf("CargoArgs(%q)\n = %q\nwant %q", tt.args, got, tt.want)
			}
			log := CargoArgsForLog(tt.args)
			if len(log) != len(got) {
				t.Errorf("CargoArgsForLog(%q) = %q: not one argument for each", tt.args, log)
			}
			if !tt.local {
				got = append(got, log...)
			}
			if tt.forbidden != "" && strings.Contains(strings.Join(got, " "), tt.forbidden) {
				t.Errorf("%q is left in %q or %q", tt.forbidden, got, log)
			}
		})
	}
}

func TestCargoArgsForLogKeepsPaths(t *testing.T) {
	args := []string{"--manifest-path", "/home/alice/app/Cargo.toml", "--config", `build.rustflags=["-L/home/alice/lib"]`, "--config", `env.K="SECRET"`}
	want := []string{"--manifest-path", "/home/alice/app/Cargo.toml", "--config", `build.rustflags=["-L/home/alice/lib"]`, "--config", "env.K=<redacted>"}
	if got := CargoArgsForLog(args); !slices.Equal(got, want) {
		t.Errorf("CargoArgsForLog(%q)\n = %q\nwant %q", args, got, want)
	}
}
