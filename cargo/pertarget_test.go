package cargo

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBuildRunsCargoOncePerTriple: in one invocation for several targets
// cargo unifies dependency features across them, so the binaries would
// not be what each target's crate graph (the SBOM) says; Build runs cargo
// once per triple. The cargo here is a script that records its arguments
// and reports the executable as cargo does.
func TestBuildRunsCargoOncePerTriple(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "invocations")
	script := `#!/bin/sh
echo "$*" >> ` + log + `
prev=
for a in "$@"; do
  if [ "$prev" = --target ]; then
    printf '{"reason":"compiler-artifact","package_id":"path+file:///%s#app@0.1.0","manifest_path":"/p/Cargo.toml","target":{"name":"app","kind":["bin"]},"executable":"/t/%s/release/app"}\n' "$a" "$a"
  fi
  prev=$a
done
`
	cargoPath := filepath.Join(dir, "bin", "cargo")
	writeTestFile(t, cargoPath, script)
	if err := os.Chmod(cargoPath, 0o755); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(dir, "Cargo.toml"), "[package]\nname = \"app\"\nversion = \"0.1.0\"\n")
	c := Cargo{Command: cargoPath, Env: os.Environ(), LookPath: func(string) (string, error) { return "", os.ErrNotExist }}
	triples := []string{"x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"}
	arts, err := c.Build(context.Background(), BuildRequest{Dir: dir, Bins: []string{"app"}, Triples: triples})
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 2 || arts[0].Triple != triples[0] || arts[1].Triple != triples[1] {
		t.Fatalf("artifacts %+v, want one per triple in order", arts)
	}
	for i, a := range arts {
		// Each triple's artifact carries the packages of its own build.
		if want := "path+file:///" + triples[i] + "#app@0.1.0"; len(a.Packages) != 1 || a.Packages[0].ID != want {
			t.Errorf("artifact for %s has the packages %v, want %s", a.Triple, a.Packages, want)
		}
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("cargo ran %d times, want once per triple:\n%s", len(lines), data)
	}
	for i, line := range lines {
		args := strings.Fields(line)
		if n := strings.Count(line, "--target "); n != 1 || !slices.Contains(args, triples[i]) {
			t.Errorf("invocation %d: %s\nwant one --target %s", i+1, line, triples[i])
		}
	}
}

// TestGraphSeesTheBuildsRustflags: cargo links the dependencies of
// cfg(target_feature = "crt-static") when krust builds (it adds
// +crt-static), so the graph, read with the same flags, lists them.
func TestGraphSeesTheBuildsRustflags(t *testing.T) {
	requireShopCrates(t)
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, ".cargo", "config.toml"), `[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "`+debianRegistry+`"
`)
	writeTestFile(t, filepath.Join(dir, "Cargo.toml"), `[package]
name = "static-only"
version = "0.1.0"
edition = "2021"

[target.'cfg(target_feature = "crt-static")'.dependencies]
hex = "0.4"
`)
	writeTestFile(t, filepath.Join(dir, "src", "main.rs"), "fn main() {}\n")
	c := Cargo{Env: append(os.Environ(), "CARGO_HOME="+filepath.Join(dir, ".home"))}
	g, err := c.Graph(context.Background(), DepsRequest{Dir: dir, Bin: "static-only", Triple: "x86_64-unknown-linux-gnu", Args: []string{"--offline"},
		Built: resolvedPackages(t, dir, c.Env)})
	if err != nil {
		t.Fatal(err)
	}
	if got := crateNames(g); !slices.Contains(got, "hex") {
		t.Errorf("crates %v: hex, linked under +crt-static, is missing", got)
	}
}
