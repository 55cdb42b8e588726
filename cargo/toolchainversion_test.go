package cargo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// firstLine runs a command of the real toolchain and returns the first
// line it prints.
func firstLine(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

func TestToolchainReal(t *testing.T) {
	if _, err := exec.LookPath("rustc"); err != nil {
		t.Fatalf("rustc is not on PATH: install Rust with rustup")
	}
	got, err := Cargo{Env: os.Environ()}.Toolchain(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := Toolchain{
		Rustc: firstLine(t, "rustc", "--version"),
		Cargo: firstLine(t, "cargo", "--version"),
		Host:  firstLine(t, "rustc", "--print", "host-tuple"),
	}
	if got != want {
		t.Fatalf("Toolchain = %+v, want %+v", got, want)
	}
	if !strings.HasPrefix(got.Rustc, "rustc 1.") || !strings.HasPrefix(got.Cargo, "cargo 1.") {
		t.Errorf("versions %q %q", got.Rustc, got.Cargo)
	}
}

// fakeToolchain writes a toolchain directory whose bin/rustc and bin/cargo
// are shell scripts with the given bodies.
func fakeToolchain(t *testing.T, rustc, cargo string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"rustc": rustc, "cargo": cargo} {
		if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bin", name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const fakeRustc = `printf 'rustc 9.9.9 (0123abcde 2030-01-01)\nbinary: rustc\nhost: riscv64gc-unknown-linux-gnu\nrelease: 9.9.9\n'`

// TestToolchainFile: in a project whose rust-toolchain.toml names another
// toolchain, that one answers, as it would build the project.
func TestToolchainFile(t *testing.T) {
	if err := exec.Command("rustup", "--version").Run(); err != nil {
		t.Skip("rust-toolchain.toml is read by rustup's proxies, and rustup is not installed here")
	}
	fake := fakeToolchain(t, fakeRustc, `echo "cargo 9.9.9 (fedcba987 2030-01-01)"`)
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "rust-toolchain.toml"), "[toolchain]\npath = \""+fake+"\"\n")
	got, err := Cargo{Env: os.Environ()}.Toolchain(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Toolchain{Rustc: "rustc 9.9.9 (0123abcde 2030-01-01)", Cargo: "cargo 9.9.9 (fedcba987 2030-01-01)", Host: "riscv64gc-unknown-linux-gnu"}
	if got != want {
		t.Fatalf("Toolchain = %+v, want %+v", got, want)
	}
}

func TestToolchainFake(t *testing.T) {
	fake := fakeToolchain(t, fakeRustc, `echo "cargo 9.9.9 (fedcba987 2030-01-01)"`)
	broken := fakeToolchain(t, `echo "rustc 9.9.9"`, `echo "error: cargo is broken" >&2; exit 3`)
	// exec finds programs on krust's own PATH, not on Env's: cargo is the
	// machine's, RUSTC and Command choose others.
	path := "PATH=" + os.Getenv("PATH")
	tests := []struct {
		name    string
		c       Cargo
		want    Toolchain
		wantErr []string
	}{
		{"RUSTC", Cargo{Env: []string{path, "RUSTC=" + filepath.Join(fake, "bin", "rustc")}},
			Toolchain{Rustc: "rustc 9.9.9 (0123abcde 2030-01-01)", Cargo: firstLine(t, "cargo", "--version"), Host: "riscv64gc-unknown-linux-gnu"}, nil},
		{"rustc missing", Cargo{Env: []string{path, "RUSTC=/nonexistent/rustc"}}, Toolchain{},
			[]string{"/nonexistent/rustc -vV"}},
		{"no host", Cargo{Env: []string{path, "RUSTC=" + filepath.Join(broken, "bin", "rustc")}}, Toolchain{},
			[]string{"-vV", "printed no `host:` line", "rustc 9.9.9"}},
		{"cargo fails", Cargo{Command: filepath.Join(broken, "bin", "cargo"), Env: []string{path}}, Toolchain{},
			[]string{filepath.Join(broken, "bin", "cargo") + " --version", "exit status 3", "error: cargo is broken"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.c.Toolchain(context.Background(), t.TempDir())
			if tc.wantErr == nil {
				if err != nil || got != tc.want {
					t.Fatalf("Toolchain = %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Toolchain = %+v, want an error", got)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
