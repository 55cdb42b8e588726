package cargo

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// TestGraphFieldsAsCargoMetadata: the fields the SBOM lists are what
// cargo metadata (which krust read them from before) says, for every
// kind of crate: a member and dependencies outside the workspace (a git
// repository's member, a path crate of another workspace) whose
// Cargo.toml inherits them from their workspace, a multi-line
// description, registry crates.
func TestGraphFieldsAsCargoMetadata(t *testing.T) {
	requireShopCrates(t)
	base := t.TempDir()
	git := filepath.Join(base, "gitws")
	writeTestFile(t, filepath.Join(git, "Cargo.toml"), `[workspace]
members = ["crates/gd"]
resolver = "2"

[workspace.package]
license = "MIT OR Apache-2.0"
description = "A git dependency whose fields come from its workspace"
repository = "https://example.com/gitws"
homepage = "https://example.com/gitws/home"
license-file = "LICENSE.txt"
`)
	writeTestFile(t, filepath.Join(git, "crates", "gd", "Cargo.toml"), `[package]
name = "gd"
version = "0.4.0"
edition = "2021"
license.workspace = true
description.workspace = true
repository = { workspace = true }
homepage.workspace = true
license-file.workspace = true

[dependencies]
itoa = "1"
`)
	writeTestFile(t, filepath.Join(git, "crates", "gd", "src", "lib.rs"), "pub fn g() {}\n")
	gitCommit(t, git)
	writeTestFile(t, filepath.Join(base, "other", "Cargo.toml"), `[workspace]
members = ["outside"]

[workspace.package]
description = "Outside the workspace, inherited"
homepage = "https://example.com/outside"
`)
	writeTestFile(t, filepath.Join(base, "other", "outside", "Cargo.toml"), `[package]
name = "outside"
version = "0.2.0"
edition = "2021"
license = "MIT"
description.workspace = true
homepage.workspace = true
license-file = "../COPYING"

[dependencies]
ryu = "1"
`)
	writeTestFile(t, filepath.Join(base, "other", "outside", "src", "lib.rs"), "pub fn o() {}\n")
	ws := filepath.Join(base, "ws")
	writeTestFile(t, filepath.Join(ws, ".cargo", "config.toml"),
		"[source.crates-io]\nreplace-with = \"debian\"\n\n[source.debian]\ndirectory = \""+debianRegistry+"\"\n")
	writeTestFile(t, filepath.Join(ws, "Cargo.toml"), `[workspace]
members = ["app", "mylib"]
resolver = "2"

[workspace.package]
description = "Inherited description"
homepage = "https://example.com/ws"
license-file = "LICENSE"
repository = "https://example.com/ws.git"
`)
	writeTestFile(t, filepath.Join(ws, "app", "Cargo.toml"), `[package]
name = "app"
version = "0.1.0"
edition = "2021"
license = "Apache-2.0"
description = """A multi-line
description"""

[dependencies]
mylib = { path = "../mylib" }
outside = { path = "../../other/outside" }
gd = { git = "file://`+git+`", branch = "main" }
serde_json = "1"
`)
	writeTestFile(t, filepath.Join(ws, "app", "src", "main.rs"), "fn main() {}\n")
	writeTestFile(t, filepath.Join(ws, "mylib", "Cargo.toml"), `[package]
name = "mylib"
version = "0.3.0"
edition = "2021"
license = "MIT"
description.workspace = true
homepage.workspace = true
license-file.workspace = true
repository.workspace = true
`)
	writeTestFile(t, filepath.Join(ws, "mylib", "src", "lib.rs"), "pub fn f() {}\n")
	env := append(os.Environ(), "CARGO_HOME="+filepath.Join(base, "cargo-home"))
	fetch := exec.Command("cargo", "fetch")
	fetch.Dir, fetch.Env = ws, env
	if out, err := fetch.CombinedOutput(); err != nil {
		t.Fatalf("cargo fetch: %v\n%s", err, out)
	}

	g, err := Cargo{Env: env}.Graph(context.Background(), DepsRequest{Dir: ws, Package: "app", Bin: "app", Triple: tripleX86,
		Args: []string{"--offline"}, Built: resolvedPackages(t, ws, env)})
	if err != nil {
		t.Fatal(err)
	}
	meta := exec.Command("cargo", "metadata", "--format-version", "1", "--offline")
	meta.Dir, meta.Env = ws, env
	out, err := meta.Output()
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Packages []Package }
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	byID := map[string]Package{}
	for _, p := range m.Packages {
		byID[p.ID] = p
	}
	if got, want := crateNames(g), []string{"app", "gd", "itoa", "mylib", "outside", "ryu", "serde", "serde_json"}; !slices.Equal(got, want) {
		t.Errorf("crates %v, want %v", got, want)
	}
	for _, c := range g.Crates {
		p, ok := byID[c.ID]
		if !ok {
			t.Errorf("%s: cargo metadata has no package %s", c.Name, c.ID)
			continue
		}
		got := manifestFields{c.License, c.LicenseFile, c.Description, c.Homepage, c.Repository, ""}
		if want := packageFields(p); got != want {
			t.Errorf("%s: %+v\ncargo metadata: %+v", c.Name, got, want)
		}
	}
	if gd := crateNamed(g, "gd"); gd.Homepage != "https://example.com/gitws/home" || gd.LicenseFile == "" {
		t.Errorf("gd's inherited fields: %+v", gd)
	}
}
