package cargo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// debianRegistry is where Debian's librust-*-dev packages put crates'
// sources; a project uses them through source replacement.
const debianRegistry = "/usr/share/cargo/registry"

// shopCrates are the crates the shop project needs from debianRegistry.
var shopCrates = []string{
	"serde-1.0.152", "serde_derive-1.0.152", "serde_json-1.0.87", "itoa-1.0.1", "ryu-1.0.2",
	"hex-0.4.3", "autocfg-1.1.0", "once_cell-1.17.0", "parking_lot_core-0.9.3", "log-0.4.17",
	"cfg-if-1.0.0", "libc-0.2.139", "smallvec-1.9.0", "syn-1.0.107", "quote-1.0.21",
	"proc-macro2-1.0.47", "unicode-ident-1.0.0",
}

// shopPackages are the Debian packages that install shopCrates.
const shopPackages = "librust-serde-json-dev librust-hex-dev librust-serde-derive-dev librust-once-cell-dev " +
	"librust-parking-lot-core-dev librust-log-dev librust-autocfg-dev"

// requireShopCrates fails the test (CI installs the crates, so their
// absence is a broken machine, not one to skip on) unless cargo and the
// crates are there.
func requireShopCrates(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Fatalf("cargo is not on PATH: install Rust with rustup")
	}
	var missing []string
	for _, c := range shopCrates {
		if _, err := os.Stat(filepath.Join(debianRegistry, c, "Cargo.toml")); err != nil {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("Debian's packaged crates %s are not in %s: install them with `apt-get install %s`",
			strings.Join(missing, ", "), debianRegistry, shopPackages)
	}
}

// shop is a project of real crates: its directory, the environment cargo
// runs in (a CARGO_HOME of its own, for the git checkout) and the commit
// of its git dependency.
type shop struct {
	dir, gitRev string
	env         []string
}

// writeShop writes a workspace that uses real crates from debianRegistry
// (offline, through source replacement) in every way a binary can, and
// returns it:
//   - serde with derive: serde is linked, serde_derive (a proc macro) and
//     syn, quote, proc-macro2 and unicode-ident (its dependencies) are not;
//   - serde_json, also through mylib, a workspace member (path dependency);
//   - gitdep, a git dependency (a local repository, branch main);
//   - once_cell, optional (feature cell, a default one), also a
//     build-dependency with the parking_lot feature: the linked once_cell
//     has no parking_lot, and parking_lot_core (with libc, smallvec and
//     cfg-if) is the build script's only;
//   - hex, a dev-dependency, and optional (feature hexfmt) too;
//   - autocfg, a build-dependency only; itoa, a build-dependency that
//     serde_json links anyway;
//   - log (and cfg-if) for aarch64 only.
func writeShop(t testing.TB) shop {
	t.Helper()
	requireShopCrates(t)
	base := t.TempDir()
	gitDir := filepath.Join(base, "gitdep")
	writeTestFile(t, filepath.Join(gitDir, "Cargo.toml"), `[package]
name = "gitdep"
version = "0.3.0"
edition = "2021"
license = "MIT"
description = "A git dependency"

[dependencies]
itoa = "1"
`)
	writeTestFile(t, filepath.Join(gitDir, "src", "lib.rs"), "pub fn g() -> u8 { 1 }\n")
	gitRev := gitCommit(t, gitDir)

	dir := filepath.Join(base, "shop")
	writeTestFile(t, filepath.Join(dir, ".cargo", "config.toml"), `[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "`+debianRegistry+`"
`)
	writeTestFile(t, filepath.Join(dir, "Cargo.toml"), `[workspace]
members = ["mylib"]
resolver = "2"

[package]
name = "shop"
version = "0.1.0"
edition = "2021"
license = "MIT"
description = "The root package"

[features]
default = ["cell"]
cell = ["dep:once_cell"]
hexfmt = ["dep:hex"]

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
mylib = { path = "mylib" }
gitdep = { git = "file://`+gitDir+`", branch = "main" }
once_cell = { version = "1", optional = true }
hex = { version = "0.4", optional = true }

[target.'cfg(target_arch = "aarch64")'.dependencies]
log = "0.4"

[dev-dependencies]
hex = "0.4"

[build-dependencies]
autocfg = "1"
itoa = "1"
once_cell = { version = "1", features = ["parking_lot"] }
`)
	writeTestFile(t, filepath.Join(dir, "build.rs"), "fn main() {}\n")
	writeTestFile(t, filepath.Join(dir, "src", "main.rs"), "fn main() { mylib::f(); }\n")
	writeTestFile(t, filepath.Join(dir, "mylib", "Cargo.toml"), `[package]
name = "mylib"
version = "0.2.0"
edition = "2021"
license = "Apache-2.0"

[dependencies]
serde_json = "1"
`)
	writeTestFile(t, filepath.Join(dir, "mylib", "src", "lib.rs"), "pub fn f() {}\n")
	// Fetch the git dependency (from the local repository) and write
	// Cargo.lock once, so that the tests run --offline as after a build.
	cmd := exec.Command("cargo", "fetch", "--manifest-path", filepath.Join(dir, "Cargo.toml"))
	env := append(os.Environ(), "CARGO_HOME="+filepath.Join(base, "cargo-home"))
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cargo fetch in %s: %v\n%s", dir, err, out)
	}
	return shop{dir: dir, gitRev: gitRev, env: env}
}

// gitCommit makes dir a git repository with one commit on main and
// returns the commit.
func gitCommit(t testing.TB, dir string) string {
	t.Helper()
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=krust", "-c", "user.email=krust@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "gitdep")
	return git("rev-parse", "HEAD")
}
