package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sysCrateProject writes a binary crate using dep, a -sys crate of
// Debian's packaged crates (.ci/run installs them).
func sysCrateProject(t *testing.T, dep, mainRS string) string {
	t.Helper()
	requireTool(t, "cargo")
	return writeCrate(t, t.TempDir(), map[string]string{
		"Cargo.toml":         "[package]\nname = \"clib-e2e\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n" + dep + "\n",
		".cargo/config.toml": "[source.crates-io]\nreplace-with = \"debian\"\n[source.debian]\ndirectory = \"/usr/share/cargo/registry\"\n",
		"src/main.rs":        mainRS,
	})
}

// A -sys crate whose library ships a static archive (zlib1g-dev's
// libz.a) links statically and runs in a scratch image in the Engine.
func TestSysCrateRunsInScratchImage(t *testing.T) {
	if _, err := os.Stat("/usr/share/cargo/registry/libz-sys-1.1.8"); err != nil {
		t.Fatal("libz-sys is not installed: .ci/run installs librust-libz-sys-dev")
	}
	project := sysCrateProject(t, `libz-sys = "1"`, `fn main() {
    let v = unsafe { std::ffi::CStr::from_ptr(libz_sys::zlibVersion()) };
    println!("zlib {} in scratch", v.to_str().unwrap());
}
`)
	res := krust(t, project, nil, "build", "-v", "--no-push", "--libc", "glibc", "--base", "scratch")
	dir := ociRef(t, res, "latest")
	if !strings.Contains(res.stderr, "PKG_CONFIG_ALL_STATIC=1") {
		t.Errorf("-v does not say krust asks pkg-config for static flags:\n%s", res.stderr)
	}
	if out := runInDocker(t, "oci:"+dir+":latest"); !strings.HasPrefix(out, "zlib 1.") || !strings.Contains(out, "in scratch") {
		t.Errorf("docker run printed %q", out)
	}
}

// A -sys crate whose library has no static archive (libudev-dev ships
// only libudev.so) fails with the library, the crate and the fixes.
func TestSysCrateWithoutStaticArchiveFails(t *testing.T) {
	if _, err := os.Stat("/usr/share/cargo/registry/libudev-sys-0.1.4"); err != nil {
		t.Fatal("libudev-sys is not installed: .ci/run installs librust-libudev-sys-dev")
	}
	project := sysCrateProject(t, `libudev-sys = "0.1"`, "fn main() { println!(\"{}\", unsafe { libudev_sys::udev_new() }.is_null()); }\n")
	layoutDir := filepath.Join(t.TempDir(), "layout")
	res := krust(t, project, nil, "build", "--no-push", "--libc", "glibc", "--base", "scratch", "--oci-layout", layoutDir)
	assertCleanFailure(t, res, "native library not found", "libudev.a", "library udev", "crate libudev-sys 0.1.4",
		"vendored or static feature", "--features libudev-sys/vendored", "rustls")
	assertNoLayout(t, layoutDir)
}
