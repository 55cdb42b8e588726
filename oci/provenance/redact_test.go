package provenance

import (
	"bytes"
	"slices"
	"testing"
)

func TestRedactArgs(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      []string
		forbidden string // must not be in the output
	}{
		{
			name: "plain arguments kept",
			args: []string{"--locked", "-p", "hello@1.2.3", "--features", "a,b/c", "--config", "profile.release.lto=true"},
			want: []string{"--locked", "-p", "hello@1.2.3", "--features", "a,b/c", "--config", "profile.release.lto=true"},
		},
		{
			name:      "registry token",
			args:      []string{"--config", `registries.corp.token="cio_s3cr3t"`},
			want:      []string{"--config", `registries.corp.token="<redacted>"`},
			forbidden: "s3cr3t",
		},
		{
			name:      "token with --config=",
			args:      []string{`--config=registry.token="cio_s3cr3t"`},
			want:      []string{`--config=registry.token="<redacted>"`},
			forbidden: "s3cr3t",
		},
		{
			name:      "secret key, any case",
			args:      []string{"--config", `registries.corp.Secret-Key = "k3y"`},
			want:      []string{"--config", `registries.corp.Secret-Key="<redacted>"`},
			forbidden: "k3y",
		},
		{
			name:      "token inside an inline table",
			args:      []string{"--config", `registries.corp={index="sparse+https://corp/", token="s3cr3t"}`},
			want:      []string{"--config", `registries.corp="<redacted>"`},
			forbidden: "s3cr3t",
		},
		{
			name:      "credential provider",
			args:      []string{"--config", `registry.global-credential-providers=["cargo:token-from-stdout pass show x"]`},
			want:      []string{"--config", `registry.global-credential-providers="<redacted>"`},
			forbidden: "pass show",
		},
		{
			name:      "proxy URL with user and password",
			args:      []string{"--config", "http.proxy=http://alice:hunter2@proxy.corp:3128"},
			want:      []string{"--config", "http.proxy=http://proxy.corp:3128"},
			forbidden: "hunter2",
		},
		{
			name:      "proxy without scheme (curl's syntax)",
			args:      []string{"--config=http.proxy=alice:hunter2@proxy.corp:3128"},
			want:      []string{"--config=http.proxy=proxy.corp:3128"},
			forbidden: "hunter2",
		},
		{
			name:      "password with @ in it",
			args:      []string{"--config", `http.proxy="https://alice:p@ss@proxy/"`},
			want:      []string{"--config", `http.proxy="https://proxy/"`},
			forbidden: "ss@",
		},
		{
			name:      "token as a URL's user in any argument",
			args:      []string{"--config", `source.corp.registry="https://ghp_t0ken@git.corp/index"`},
			want:      []string{"--config", `source.corp.registry="https://git.corp/index"`},
			forbidden: "t0ken",
		},
		{
			name:      "absolute paths",
			args:      []string{"--manifest-path", "/home/alice/src/app/Cargo.toml", "--target-dir=/home/alice/t", "--config", "/home/alice/.cargo/ci.toml"},
			want:      []string{"--manifest-path", "<local>/Cargo.toml", "--target-dir=<local>/t", "--config", "<local>/ci.toml"},
			forbidden: "alice",
		},
		{
			name: "relative paths and ~ kept",
			args: []string{"--manifest-path", "crates/app/Cargo.toml", "--target-dir", "../target", "--config", "~/.cargo/ci.toml"},
			want: []string{"--manifest-path", "crates/app/Cargo.toml", "--target-dir", "../target", "--config", "~/.cargo/ci.toml"},
		},
		{
			name: "URL paths kept",
			args: []string{"--config", `registries.corp.index="sparse+https://corp.example/api/v1/crates/"`},
			want: []string{"--config", `registries.corp.index="sparse+https://corp.example/api/v1/crates/"`},
		},
		{
			name: "--config last, without a value",
			args: []string{"--config"},
			want: []string{"--config"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redactArgs(tt.args)
			if !slices.Equal(got, tt.want) {
				t.Errorf("redactArgs(%q)\n = %q\nwant %q", tt.args, got, tt.want)
			}
			if tt.forbidden != "" {
				in := fullInput()
				in.Params.CargoArgs = tt.args
				if doc := encode(t, in); bytes.Contains(doc, []byte(tt.forbidden)) {
					t.Errorf("the document holds %q:\n%s", tt.forbidden, doc)
				}
			}
		})
	}
}

func TestScrub(t *testing.T) {
	tests := []struct{ in, want string }{
		{"gcr.io/distroless/static:nonroot", "gcr.io/distroless/static:nonroot"},
		{"127.0.0.1:5000/app@sha256:abcd", "127.0.0.1:5000/app@sha256:abcd"},
		{"oci:/home/alice/layouts/base:v1", "oci:<local>/base:v1"},
		{"oci:/home/alice/layouts/base", "oci:<local>/base"},
		{"oci:layouts/base:v1", "oci:layouts/base:v1"},
		{"/", "<local>/"},
		{"/home/alice/proj/", "<local>/proj"},
		{"file:///home/alice/repo", "file://<local>/repo"},
		{"https://alice:tok@github.com/o/r", "https://github.com/o/r"},
		{"x86_64-unknown-linux-musl", "x86_64-unknown-linux-musl"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := scrub(tt.in); got != tt.want {
			t.Errorf("scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScrubRepository(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://github.com/o/r", "https://github.com/o/r"},
		{"https://x-access-token:ghs_abc@github.com/o/r.git", "https://github.com/o/r.git"},
		{"git@github.com:o/r.git", "ssh://github.com/o/r.git"},
		{"ssh://alice@git.corp:2222/o/r", "ssh://git.corp:2222/o/r"},
		{"/home/alice/src/r", "<local>/r"},
		{"../r", "../r"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := scrubRepository(tt.in); got != tt.want {
			t.Errorf("scrubRepository(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
