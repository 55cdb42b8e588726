package cargo

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestCheckTargetRealToolchain asks the machine's rustc. It needs a Rust
// toolchain whose host is x86_64-unknown-linux-gnu and which lacks the musl
// target, as on the development machine.
func TestCheckTargetRealToolchain(t *testing.T) {
	rustc, err := exec.LookPath("rustc")
	if err != nil {
		t.Skip("rustc is not on PATH: this test checks CheckTarget against a real Rust toolchain")
	}
	out, err := exec.Command(rustc, "--print", "sysroot").Output()
	if err != nil {
		t.Skipf("%s --print sysroot failed (%v): no usable Rust toolchain", rustc, err)
	}
	sysroot := strings.TrimSpace(string(out))
	installed := func(triple string) bool {
		libs, _ := filepath.Glob(filepath.Join(sysroot, "lib", "rustlib", triple, "lib", "libstd-*.rlib"))
		return len(libs) > 0
	}
	tests := []struct {
		triple      string
		wantMissing bool
	}{
		{"x86_64-unknown-linux-gnu", false},
		{"x86_64-unknown-linux-musl", true},
	}
	for _, tc := range tests {
		t.Run(tc.triple, func(t *testing.T) {
			if installed(tc.triple) == tc.wantMissing {
				state := "installed"
				if !tc.wantMissing {
					state = "not installed"
				}
				t.Skipf("this test expects the toolchain's %s target state to differ: it is %s in %s", tc.triple, state, sysroot)
			}
			c := Cargo{Env: os.Environ()}
			err := c.CheckTarget(context.Background(), t.TempDir(), tc.triple)
			if !tc.wantMissing {
				if err != nil {
					t.Fatalf("CheckTarget(%s): %v", tc.triple, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckTarget(%s) = nil, want an error", tc.triple)
			}
			if !errors.Is(err, ErrTargetMissing) {
				t.Errorf("error %q does not wrap ErrTargetMissing", err)
			}
			for _, s := range []string{"rustup target add " + tc.triple, sysroot} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

// TestCheckTargetFakeRustc uses a shell script as rustc, so it needs no
// Rust toolchain.
func TestCheckTargetFakeRustc(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake rustc is a shell script")
	}
	const triple = "aarch64-unknown-linux-musl"
	tests := []struct {
		name string
		// script is the fake rustc's body; $SYSROOT is set in its env.
		script string
		// libs are created under the sysroot.
		libs        []string
		rustc       string // RUSTC value; "script" means the fake rustc
		wantMissing bool
	}{
		{
			name:   "target installed",
			script: `echo "$SYSROOT"`,
			libs:   []string{"lib/rustlib/" + triple + "/lib/libstd-0123abcd.rlib"},
			rustc:  "script",
		},
		{
			name:        "target missing",
			script:      `echo "$SYSROOT"`,
			libs:        []string{"lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd-0123abcd.rlib"},
			rustc:       "script",
			wantMissing: true,
		},
		{
			name:        "target directory without libstd",
			script:      `echo "$SYSROOT"`,
			libs:        []string{"lib/rustlib/" + triple + "/lib/libcore-0123abcd.rlib"},
			rustc:       "script",
			wantMissing: true,
		},
		{
			name:   "sysroot relative to the project directory",
			script: `echo "$PWD/sysroot"`,
			libs:   []string{"lib/rustlib/" + triple + "/lib/libstd-0123abcd.rlib"},
			rustc:  "script",
		},
		{
			name:   "sysroot with surrounding white space",
			script: `printf '  %s  \n\n' "$SYSROOT"`,
			libs:   []string{"lib/rustlib/" + triple + "/lib/libstd-0123abcd.rlib"},
			rustc:  "script",
		},
		{
			name:   "rustc fails: leave it to cargo",
			script: `echo "error: toolchain not installed" >&2; exit 1`,
			rustc:  "script",
		},
		{
			name:  "rustc not found: leave it to cargo",
			rustc: "/nonexistent/rustc",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sysroot := filepath.Join(dir, "sysroot")
			for _, lib := range tc.libs {
				p := filepath.Join(sysroot, filepath.FromSlash(lib))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			rustc := tc.rustc
			if rustc == "script" {
				rustc = filepath.Join(t.TempDir(), "rustc")
				script := "#!/bin/sh\n" +
					`[ "$1 $2" = "--print sysroot" ] || { echo "unexpected arguments: $*" >&2; exit 2; }` + "\n" +
					tc.script + "\n"
				if err := os.WriteFile(rustc, []byte(script), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			c := Cargo{Env: []string{"PATH=/usr/bin:/bin", "SYSROOT=" + sysroot, "RUSTC=" + rustc}}
			err := c.CheckTarget(context.Background(), dir, triple)
			if !tc.wantMissing {
				if err != nil {
					t.Fatalf("CheckTarget: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("CheckTarget = nil, want an error")
			}
			if !errors.Is(err, ErrTargetMissing) {
				t.Errorf("error %q does not wrap ErrTargetMissing", err)
			}
			for _, s := range []string{"rustup target add " + triple, sysroot} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}
