package cargo

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestStaticPkgConfig(t *testing.T) {
	tests := []struct {
		name       string
		env        []string
		wantStatic string // "" for unset
	}{
		{"set by krust", []string{"HOME=/h"}, "1"},
		{"the user's own value kept", []string{"PKG_CONFIG_ALL_STATIC=yes"}, "yes"},
		{"the user's empty value kept", []string{"PKG_CONFIG_ALL_STATIC="}, ""},
		{"the user asked for dynamic flags", []string{"PKG_CONFIG_ALL_DYNAMIC=1"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Cargo{Env: tt.env, LookPath: func(string) (string, error) { return "", exec.ErrNotFound }}
			cmd, err := c.buildCommand(context.Background(), BuildRequest{Dir: t.TempDir(), Bins: []string{"app"}}, []string{"x86_64-unknown-linux-gnu"})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := lookupEnv(cmd.Env, pkgConfigAllStatic)
			if got != tt.wantStatic {
				t.Errorf("%s=%q, want %q", pkgConfigAllStatic, got, tt.wantStatic)
			}
			if n := countKey(cmd.Env, pkgConfigAllStatic); n > 1 {
				t.Errorf("%s set %d times", pkgConfigAllStatic, n)
			}
			if slices.ContainsFunc(tt.env, func(kv string) bool { return strings.HasPrefix(kv, pkgConfigAllDynamic+"=") }) &&
				countKey(cmd.Env, pkgConfigAllDynamic) != 1 {
				t.Errorf("the user's %s was dropped: %q", pkgConfigAllDynamic, cmd.Env)
			}
		})
	}
}

func countKey(env []string, key string) int {
	n := 0
	for _, kv := range env {
		if strings.HasPrefix(kv, key+"=") {
			n++
		}
	}
	return n
}

// sysProject writes a binary crate depending on dep ("libz-sys = \"1\"")
// from Debian's packaged crates, whose main is mainRS.
func sysProject(t *testing.T, dep, mainRS string) string {
	t.Helper()
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Fatalf("cargo is not on PATH: install Rust with rustup")
	}
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "Cargo.toml"), "[package]\nname = \"sysapp\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n"+dep+"\n")
	writeTestFile(t, filepath.Join(dir, ".cargo", "config.toml"), "[source.crates-io]\nreplace-with = \"debian\"\n[source.debian]\ndirectory = \""+debianRegistry+"\"\n")
	writeTestFile(t, filepath.Join(dir, "src", "main.rs"), mainRS)
	return dir
}

// requireDebianCrate fails unless Debian's package of crate (a directory
// of debianRegistry) is installed: CI installs it.
func requireDebianCrate(t *testing.T, crate, pkg string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(debianRegistry, crate, "Cargo.toml")); err != nil {
		t.Fatalf("%s is not in %s: install it with `apt-get install %s`", crate, debianRegistry, pkg)
	}
}

func buildSys(t *testing.T, dir string, env ...string) ([]Artifact, string, error) {
	t.Helper()
	var stderr bytes.Buffer
	c := Cargo{Env: append(os.Environ(), env...), Stderr: &stderr}
	arts, err := c.Build(context.Background(), BuildRequest{Dir: dir, Bins: []string{"sysapp"}, Triples: []string{"x86_64-unknown-linux-gnu"}})
	return arts, stderr.String(), err
}

func TestSysCrateWithStaticArchiveLinks(t *testing.T) {
	requireDebianCrate(t, "libz-sys-1.1.8", "librust-libz-sys-dev zlib1g-dev")
	dir := sysProject(t, `libz-sys = "1"`, `fn main() {
    let v = unsafe { std::ffi::CStr::from_ptr(libz_sys::zlibVersion()) };
    println!("zlib {}", v.to_str().unwrap());
}
`)
	arts, stderr, err := buildSys(t, dir)
	if err != nil {
		t.Fatalf("build: %v\n%s", err, stderr)
	}
	out, err := exec.Command(arts[0].Path).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "zlib 1.") {
		t.Fatalf("the binary: %v\n%s", err, out)
	}
	if file, err := exec.Command("file", arts[0].Path).Output(); err == nil && !strings.Contains(string(file), "static") {
		t.Errorf("not linked statically: %s", file)
	}
}

func TestSysCrateWithoutStaticArchive(t *testing.T) {
	requireDebianCrate(t, "libudev-sys-0.1.4", "librust-libudev-sys-dev libudev-dev")
	// libudev-dev ships libudev.so and libudev.pc, no libudev.a.
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/libudev.a"); err == nil {
		t.Fatal("libudev.a exists here: this test needs a library without a static archive")
	}
	dir := sysProject(t, `libudev-sys = "0.1"`, "fn main() { println!(\"{}\", unsafe { libudev_sys::udev_new() }.is_null()); }\n")
	empty := t.TempDir()
	tests := []struct {
		name      string
		env       []string
		want      []string
		buildStep bool
	}{
		{"no static archive", nil, []string{"native library not found", "libudev.a", "library udev", "crate libudev-sys 0.1.4"}, false},
		{"the library not installed", []string{"PKG_CONFIG_LIBDIR=" + empty},
			[]string{"native library not found", "the build script of crate libudev-sys 0.1.4 could not find native library udev", "libudev.a"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := buildSys(t, dir, tt.env...)
			var e *NativeLibError
			if !errors.Is(err, ErrLibraryNotFound) || !errors.As(err, &e) {
				t.Fatalf("error %v, want ErrLibraryNotFound\n%s", err, stderr)
			}
			if e.BuildScript != tt.buildStep {
				t.Errorf("BuildScript = %v, want %v", e.BuildScript, tt.buildStep)
			}
			msg := err.Error()
			for _, s := range append(tt.want, "vendored or static feature", "rustls") {
				if !strings.Contains(msg, s) {
					t.Errorf("error does not say %q:\n%s", s, msg)
				}
			}
			if strings.Contains(msg, dir) || strings.Contains(msg, empty) {
				t.Errorf("error shows a local path:\n%s", msg)
			}
		})
	}
}

// libgit2 as Debian builds it: its libgit2.pc lists libssh2 in
// Libs.private but not libssh2's own dependencies (OpenSSL), so even
// with static flags the link misses OpenSSL's symbols. krust's setting
// shows in which libraries the crate asks for, and the error names them.
func TestLibgit2StaticFlags(t *testing.T) {
	requireDebianCrate(t, "libgit2-sys-0.14.1", "librust-libgit2-sys-dev libgit2-dev")
	dir := sysProject(t, `libgit2-sys = "0.14"`, `fn main() {
    let (mut a, mut b, mut c) = (0, 0, 0);
    unsafe { libgit2_sys::git_libgit2_version(&mut a, &mut b, &mut c) };
    println!("libgit2 {a}.{b}.{c}");
}
`)
	tests := []struct {
		name    string
		env     []string
		wantLib string
	}{
		{"static flags", nil, "ssh2"},
		{"the user's dynamic flags", []string{"PKG_CONFIG_ALL_DYNAMIC=1"}, "git2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := buildSys(t, dir, tt.env...)
			var e *NativeLibError
			if !errors.Is(err, ErrLink) || !errors.As(err, &e) {
				t.Fatalf("error %v, want ErrLink\n%s", err, stderr)
			}
			if !slices.Contains(e.Libs, tt.wantLib) || !slices.Contains(e.Crates, "libgit2-sys 0.14.1+1.5.0") || len(e.Symbols) == 0 {
				t.Errorf("error names libraries %v, crates %v, symbols %v; want lib%s.a of libgit2-sys", e.Libs, e.Crates, e.Symbols, tt.wantLib)
			}
			if !strings.Contains(err.Error(), "lib"+tt.wantLib+".a") {
				t.Errorf("error does not name lib%s.a:\n%s", tt.wantLib, err)
			}
		})
	}
}

// What an error shows of cargo's output is names only: no path, no
// registry URL with its credentials, no name a build script made up.
func TestNativeLibErrorShowsNamesOnly(t *testing.T) {
	var scan linkScan
	scan.Write([]byte("error: linking with `cc` failed\n  /usr/bin/ld: /home/alice/secret-proj/vendor/libssh2.a(openssl.o): in function `f':\n  undefined reference to `EVP_x'\n"))
	msgs := buildMessages{}
	msgs.links = addNativeLink(msgs.links, "sparse+https://alice:hunter2@reg.example/index/#libgit2-sys@0.14.1", []string{"static=ssh2", "../../etc/passwd", "dylib=z:+verbatim"})
	e := nativeLibError("x86_64-unknown-linux-gnu", &scan, msgs)
	if e == nil {
		t.Fatal("no error found")
	}
	msg := e.Error()
	for _, leak := range []string{"/home/alice", "secret-proj", "hunter2", "reg.example", "passwd"} {
		if strings.Contains(msg, leak) {
			t.Errorf("error shows %q:\n%s", leak, msg)
		}
	}
	if !strings.Contains(msg, "libssh2.a (which crate libgit2-sys 0.14.1 links)") || !strings.Contains(msg, "EVP_x") {
		t.Errorf("error does not name the archive, crate and symbol:\n%s", msg)
	}
}
