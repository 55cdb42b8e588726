package scrub

import "testing"

func TestPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/work/layouts/base", "<local>/base"},
		{"/work/layouts/base/", "<local>/base"},
		{"/home/alice", "<local>"},
		{"/home/alice/", "<local>"},
		{"/var/home/alice", "<local>"},
		{"/Users/alice", "<local>"},
		{"/root", "<local>"},
		{"/home/alice/src/app/Cargo.toml", "<local>/Cargo.toml"},
		{"/", "<local>"},
		{"~alice/x", "<local>/x"},
		{"~alice", "<local>"},
		{"../target", "<local>/target"},
		{"..", "<local>"},
		{"a/../../x", "<local>/x"},
		{"../../home/alice", "<local>"},
		{"/tmp/dir with spaces/x y", "<local>/x y"},
		// Inside the directory it is relative to: names nothing of the
		// machine.
		{"crates/app/Cargo.toml", "crates/app/Cargo.toml"},
		{"./x", "./x"},
		{"a/../b", "a/../b"},
		{"~/.cargo/ci.toml", "~/.cargo/ci.toml"},
		{"~", "~"},
		{".", "."},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Path(tt.in); got != tt.want {
			t.Errorf("Path(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"-C target-cpu=native", "-C target-cpu=native"},
		{"/usr/bin/clang", "<local>/clang"},
		{"/home/alice/my tools/clang", "<local>/clang"},
		{"-L/home/alice/lib", "-L<local>/lib"},
		{"-L../../alice/lib", "-L<local>/lib"},
		{"-Lnative=/home/alice/lib", "-Lnative=<local>/lib"},
		{"-Clink-arg=-Wl,-rpath,/opt/x/lib", "-Clink-arg=-Wl,-rpath,<local>/lib"},
		{"--remap-path-prefix=/home/alice/src=/src", "--remap-path-prefix=<local>/src=<local>/src"},
		{"PATH=/a/b:/c/d", "PATH=<local>/b:<local>/d"},
		{"oci:/home/alice/layouts/base:v1", "oci:<local>/base:v1"},
		{"file:///home/alice/x", "file://<local>/x"},
		{"https://alice:tok@example.com/a/b", "https://example.com/a/b"},
		{"x=https://u:p w@h.example/a b", "x=https://h.example/a b"},
		{"crates/app/Cargo.toml", "crates/app/Cargo.toml"},
		{"hello@1.2.3", "hello@1.2.3"},
		{"127.0.0.1:5000/app@sha256:abcd", "127.0.0.1:5000/app@sha256:abcd"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Value(tt.in); got != tt.want {
			t.Errorf("Value(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestImageRef(t *testing.T) {
	tests := []struct{ in, want string }{
		{"gcr.io/distroless/static:nonroot", "gcr.io/distroless/static:nonroot"},
		{"127.0.0.1:5000/app@sha256:abcd", "127.0.0.1:5000/app@sha256:abcd"},
		{"scratch", "scratch"},
		{"oci:/home/alice/layouts/base:v1", "oci:<local>/base:v1"},
		{"oci:/home/alice/layouts/base", "oci:<local>/base"},
		{"oci:layouts/base:v1", "oci:<local>/base:v1"},
		{"oci:../../base", "oci:<local>/base"},
		{"oci:/home/alice:v1", "oci:<local>:v1"},
		{"oci:.", "oci:<local>"},
		{"oci:", "oci:<local>"},
	}
	for _, tt := range tests {
		if got := ImageRef(tt.in); got != tt.want {
			t.Errorf("ImageRef(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReference(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ghcr.io/me/app", "ghcr.io/me/app"},
		{"ghcr.io/me/app@sha256:0a7e8ee0a3e1d5bb6f5b1f5e0d8c6f1d2b9f8a7c6e5d4c3b2a1f0e9d8c7b6a59", "ghcr.io/me/app@sha256:0a7e8ee0a3e1d5bb6f5b1f5e0d8c6f1d2b9f8a7c6e5d4c3b2a1f0e9d8c7b6a59"},
		{"127.0.0.1:5000/app:v1", "127.0.0.1:5000/app:v1"},
		{"user:SECRET@ghcr.io/me", "ghcr.io/me"},
		{"user:p/SECRET@ghcr.io/me", "ghcr.io/me"},
		{"SECRET@127.0.0.1:5000/me", "127.0.0.1:5000/me"},
		{"https://user:p=SECRET@ghcr.io/me/app", "https://ghcr.io/me/app"},
		{"docker://u:p w SECRET@host.example/x", "docker://host.example/x"},
		{"oci:/home/alice/layout:v1", "oci:/home/alice/layout:v1"},
	}
	for _, tt := range tests {
		if got := Reference(tt.in); got != tt.want {
			t.Errorf("Reference(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
