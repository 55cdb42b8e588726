package cargo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"
)

const (
	tripleX86   = "x86_64-unknown-linux-gnu"
	tripleArm64 = "aarch64-unknown-linux-gnu"
)

// TestGraphRealCrates reads the graph of shop, Debian's real crates, with
// real cargo, and checks it against what cargo itself plans to link (its
// unit graph) and against the crates' own files.
func TestGraphRealCrates(t *testing.T) {
	s := writeShop(t)
	base := []string{"gitdep", "itoa", "mylib", "once_cell", "ryu", "serde", "serde_json", "shop"}
	tests := []struct {
		triple string
		want   []string
	}{
		{tripleX86, base},
		{tripleArm64, append(slices.Clone(base), "cfg-if", "log")},
	}
	for _, tc := range tests {
		t.Run(tc.triple, func(t *testing.T) {
			req := DepsRequest{Dir: s.dir, Package: "shop", Bin: "shop", Triple: tc.triple, Args: []string{"--offline"},
				Built: resolvedPackages(t, s.dir, s.env)}
			g, err := Cargo{Env: s.env}.Graph(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(tc.want)
			if got := crateNames(g); !slices.Equal(got, tc.want) {
				t.Errorf("crates %v, want %v", got, tc.want)
			}
			checkUnitGraph(t, s, req, g)
			checkCrateFiles(t, s, g)
		})
	}
}

// TestGraphFeatureArgs: the features of the user's cargo arguments change
// the graph as they change the build; other arguments do not.
func TestGraphFeatureArgs(t *testing.T) {
	s := writeShop(t)
	built := resolvedPackages(t, s.dir, s.env)
	tests := []struct {
		args        []string
		cell, hexed bool // once_cell (feature cell, a default) and hex (feature hexfmt) linked
	}{
		{nil, true, false},
		{[]string{"--no-default-features"}, false, false},
		{[]string{"--no-default-features", "-F", "cell"}, true, false},
		{[]string{"-Fhexfmt", "-j", "1", "--timings", "-v"}, true, true},
		{[]string{"--no-default-features", "--features=hexfmt"}, false, true},
		{[]string{"--features", "hexfmt cell", "--no-default-features"}, true, true},
		{[]string{"--all-features"}, true, true},
		{[]string{"--config", "net.offline=true", "-F=shop/hexfmt"}, true, true},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			req := DepsRequest{Dir: s.dir, Package: "shop", Bin: "shop", Triple: tripleX86, Args: append([]string{"--offline"}, tc.args...), Built: built}
			g, err := Cargo{Env: s.env}.Graph(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			names := crateNames(g)
			if slices.Contains(names, "once_cell") != tc.cell || slices.Contains(names, "hex") != tc.hexed {
				t.Errorf("crates %v: want once_cell %v, hex %v", names, tc.cell, tc.hexed)
			}
			if tc.hexed {
				if c := crateNamed(g, "hex"); c.Checksum != sumHex || c.License != "MIT OR Apache-2.0" {
					t.Errorf("hex: checksum %q license %q", c.Checksum, c.License)
				}
			}
			checkUnitGraph(t, s, req, g)
		})
	}
}

func TestGraphRealErrors(t *testing.T) {
	s := writeShop(t)
	manifest := filepath.Join(s.dir, "Cargo.toml")
	built := resolvedPackages(t, s.dir, s.env)
	tests := []struct {
		name string
		req  DepsRequest
		want []string
	}{
		{"unknown triple", DepsRequest{Dir: s.dir, Triple: "nosuch-unknown-linux-gnu"},
			[]string{manifest, "nosuch-unknown-linux-gnu", "cargo tree: exit status 101", "error"}},
		{"nothing built", DepsRequest{Dir: s.dir, Triple: tripleX86, Built: []BuiltPackage{}},
			[]string{manifest, "no packages of the build"}},
		{"unknown package", DepsRequest{Dir: s.dir, Package: "nosuch", Triple: tripleX86},
			[]string{manifest, tripleX86, `no package "nosuch"`}},
		{"unknown binary", DepsRequest{Dir: s.dir, Bin: "nosuch", Triple: tripleX86},
			[]string{manifest, `package shop has no binary "nosuch"`}},
		{"no manifest", DepsRequest{Dir: s.dir, ManifestDir: filepath.Join(s.dir, "src"), Triple: tripleX86},
			[]string{filepath.Join(s.dir, "src", "Cargo.toml"), "cargo metadata"}},
		{"no triple", DepsRequest{Dir: s.dir}, []string{manifest, "no target triple"}},
		{"unknown feature", DepsRequest{Dir: s.dir, Triple: tripleX86, Args: []string{"-F", "nosuch"}},
			[]string{manifest, "nosuch"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Args = append(tc.req.Args, "--offline")
			if tc.req.Built == nil {
				tc.req.Built = built
			}
			g, err := Cargo{Env: s.env}.Graph(context.Background(), tc.req)
			if err == nil {
				t.Fatalf("Graph = %d crates, want an error", len(g.Crates))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestGraphSharedName builds a member named as one of its dependencies,
// which cargo tree cannot be asked for by name alone.
func TestGraphSharedName(t *testing.T) {
	requireShopCrates(t)
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, ".cargo", "config.toml"),
		"[source.crates-io]\nreplace-with = \"debian\"\n\n[source.debian]\ndirectory = \""+debianRegistry+"\"\n")
	writeTestFile(t, filepath.Join(dir, "Cargo.toml"), "[workspace]\nmembers = [\"itoa\"]\nresolver = \"2\"\n")
	writeTestFile(t, filepath.Join(dir, "itoa", "Cargo.toml"),
		"[package]\nname = \"itoa\"\nversion = \"9.0.0\"\nedition = \"2021\"\n\n[dependencies]\nserde_json = \"1\"\n")
	writeTestFile(t, filepath.Join(dir, "itoa", "src", "main.rs"), "fn main() {}\n")
	req := DepsRequest{Dir: dir, Package: "itoa", Bin: "itoa", Triple: tripleX86, Args: []string{"--offline"},
		Built: resolvedPackages(t, dir, os.Environ())}
	g, err := Cargo{Env: os.Environ()}.Graph(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range g.Crates {
		got = append(got, c.Name+"@"+c.Version)
	}
	if want := []string{"itoa@1.0.1", "itoa@9.0.0", "ryu@1.0.2", "serde@1.0.152", "serde_json@1.0.87"}; !slices.Equal(got, want) {
		t.Errorf("crates %v, want %v", got, want)
	}
	if root := g.Crates[1]; g.Root != root.ID || root.Source.Kind != SourcePath {
		t.Errorf("root %s, want %+v", g.Root, root)
	}
}

// resolvedPackages lists every package of the resolve of the project in
// dir, as a build names them (package ID and Cargo.toml), from cargo
// metadata: the tests that use it have every source at hand, and need not
// build to read the graph of a target (aarch64) whose standard library
// rustup cannot install here.
func resolvedPackages(t testing.TB, dir string, env []string) []BuiltPackage {
	t.Helper()
	cmd := exec.Command("cargo", "metadata", "--format-version", "1", "--offline")
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cargo metadata in %s: %v", dir, err)
	}
	var m struct{ Packages []Package }
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	var built []BuiltPackage
	for _, p := range m.Packages {
		built = append(built, BuiltPackage{ID: p.ID, ManifestPath: p.ManifestPath})
	}
	return built
}

func crateNames(g *Graph) []string {
	var names []string
	for _, c := range g.Crates {
		names = append(names, c.Name)
	}
	return names
}

func crateNamed(g *Graph, name string) Crate {
	for _, c := range g.Crates {
		if c.Name == name {
			return c
		}
	}
	return Crate{}
}

// checkCrateFiles checks g's crates against their files: license and
// description of each Cargo.toml, checksums of Cargo.lock (Debian's
// .cargo-checksum.json where it has none), sources, the lockfile's digest.
func checkCrateFiles(t *testing.T, s shop, g *Graph) {
	t.Helper()
	lockPath := filepath.Join(s.dir, LockfileName)
	lockBytes, err := os.ReadFile(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lockBytes)
	if g.Lockfile.Path != lockPath || g.Lockfile.Digest.String() != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Errorf("lockfile %+v, want %s with its sha256", g.Lockfile, lockPath)
	}
	var lock struct {
		Package []map[string]any `toml:"package"`
	}
	if err := toml.Unmarshal(lockBytes, &lock); err != nil {
		t.Fatal(err)
	}
	lockSum := map[string]string{}
	for _, p := range lock.Package {
		if c, ok := p["checksum"].(string); ok {
			lockSum[p["name"].(string)+" "+p["version"].(string)] = c
		}
	}
	withChecksum := 0
	for _, c := range g.Crates {
		switch c.Source.Kind {
		case SourceRegistry:
			// Source replacement: cargo names crates.io, not the directory.
			if !c.Source.IsCratesIO() || !strings.HasPrefix(c.ID, "registry+https://github.com/rust-lang/crates.io-index#") {
				t.Errorf("%s: source %+v, ID %s; want crates.io", c.Name, c.Source, c.ID)
			}
			dir := filepath.Join(debianRegistry, c.Name+"-"+c.Version)
			checkManifestFields(t, c, filepath.Join(dir, "Cargo.toml"))
			locked := lockSum[c.Name+" "+c.Version]
			var debian struct {
				Package string `json:"package"`
			}
			data, _ := os.ReadFile(filepath.Join(dir, ".cargo-checksum.json"))
			if err := json.Unmarshal(data, &debian); err != nil || debian.Package != locked {
				t.Errorf("%s: Cargo.lock's checksum %q is not Debian's %q (%v)", c.Name, locked, debian.Package, err)
			}
			want := locked
			if locked == "Could not get crate checksum" {
				want = ""
			}
			if c.Checksum != want {
				t.Errorf("%s: checksum %q, want %q (Cargo.lock: %q)", c.Name, c.Checksum, want, locked)
			}
			if c.Checksum != "" {
				withChecksum++
			}
		case SourceGit:
			want := Source{Kind: SourceGit, URL: "file://" + filepath.Join(filepath.Dir(s.dir), "gitdep"), Ref: "branch=main", Rev: s.gitRev}
			if c.Source != want || c.Checksum != "" {
				t.Errorf("%s: source %+v checksum %q, want %+v and none", c.Name, c.Source, c.Checksum, want)
			}
		case SourcePath:
			want := map[string]string{"shop": ".", "mylib": "mylib"}[c.Name]
			if c.Source.Path != want || c.Checksum != "" {
				t.Errorf("%s: path %q checksum %q, want %q and none", c.Name, c.Source.Path, c.Checksum, want)
			}
			checkManifestFields(t, c, filepath.Join(s.dir, c.Source.Path, "Cargo.toml"))
		}
	}
	if withChecksum < 4 { // serde, serde_json, itoa, ryu have real ones
		t.Errorf("only %d crates have a checksum", withChecksum)
	}
	if c := crateNamed(g, "serde_json"); c.License != "MIT OR Apache-2.0" || c.Checksum != "6ce777b7b150d76b9cf60d28b55f5847135a003f7d7350c6be7a773508ce7d45" {
		t.Errorf("serde_json: license %q checksum %q", c.License, c.Checksum)
	}
}

// checkManifestFields compares c's license, description and repository
// with its Cargo.toml's.
func checkManifestFields(t *testing.T, c Crate, manifest string) {
	t.Helper()
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Package struct {
			License, Description, Repository, Homepage string
		} `toml:"package"`
	}
	if err := toml.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", manifest, err)
	}
	p := m.Package
	if c.License != p.License || c.Description != p.Description || c.Repository != p.Repository || c.Homepage != p.Homepage {
		t.Errorf("%s: %q %q %q %q; %s says %q %q %q %q", c.Name, c.License, c.Description, c.Repository, c.Homepage,
			manifest, p.License, p.Description, p.Repository, p.Homepage)
	}
	if c.License == "" {
		t.Errorf("%s has no license", c.Name)
	}
}

// checkUnitGraph compares g with cargo's own plan of the build: the units
// of `cargo build --unit-graph` (unstable, so reached here, in a test only,
// through RUSTC_BOOTSTRAP=1) that the binary's unit reaches for the
// target, build scripts left out: their packages, features and edges.
func checkUnitGraph(t *testing.T, s shop, req DepsRequest, g *Graph) {
	t.Helper()
	checkUnitGraphOf(t, s.dir, s.env, append([]string{"--manifest-path", req.manifest(),
		"--target", req.Triple, "--package", req.Package, "--bin", req.Bin}, req.Args...), req.Triple, g)
}

// checkUnitGraphOf is checkUnitGraph for the cargo build of buildArgs in
// dir, whose units may have several roots: g's is compared.
func checkUnitGraphOf(t *testing.T, dir string, env, buildArgs []string, triple string, g *Graph) {
	t.Helper()
	args := append([]string{"build", "-Z", "unstable-options", "--unit-graph"}, buildArgs...)
	cmd := exec.Command("cargo", args...)
	cmd.Dir, cmd.Env = dir, append(slices.Clone(env), "RUSTC_BOOTSTRAP=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cargo %s: %v", strings.Join(args, " "), err)
	}
	var ug struct {
		Units []struct {
			PkgID    string  `json:"pkg_id"`
			Platform *string `json:"platform"`
			Target   struct {
				Kind []string `json:"kind"`
			} `json:"target"`
			Features     []string `json:"features"`
			Dependencies []struct {
				Index int `json:"index"`
			} `json:"dependencies"`
		} `json:"units"`
		Roots []int `json:"roots"`
	}
	if err := json.Unmarshal(out, &ug); err != nil {
		t.Fatalf("unit graph: %v", err)
	}
	root := slices.IndexFunc(ug.Roots, func(i int) bool { return ug.Units[i].PkgID == g.Root })
	if root < 0 {
		t.Fatalf("unit graph: no root is %s", g.Root)
	}
	linked := func(i int) bool {
		u := ug.Units[i]
		return u.Platform != nil && *u.Platform == triple && !slices.Contains(u.Target.Kind, "custom-build")
	}
	type crate struct{ features, deps []string }
	want := map[string]crate{}
	queue := []int{ug.Roots[root]}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		u := ug.Units[i]
		if _, seen := want[u.PkgID]; seen {
			continue
		}
		var deps []string
		for _, d := range u.Dependencies {
			if linked(d.Index) && ug.Units[d.Index].PkgID != u.PkgID {
				deps = append(deps, ug.Units[d.Index].PkgID)
				queue = append(queue, d.Index)
			}
		}
		want[u.PkgID] = crate{sortedSet(u.Features), sortedSet(deps)}
	}
	if len(g.Crates) != len(want) {
		t.Errorf("graph has %d crates, cargo's unit graph %d: %v", len(g.Crates), len(want), want)
	}
	for _, c := range g.Crates {
		w, ok := want[c.ID]
		if !ok {
			t.Errorf("%s is not linked, cargo's unit graph says", c.ID)
			continue
		}
		if !slices.Equal(c.Features, w.features) || !slices.Equal(c.Dependencies, w.deps) {
			t.Errorf("%s: features %v deps %v; cargo's unit graph: %v %v", c.Name, c.Features, c.Dependencies, w.features, w.deps)
		}
	}
}

// BenchmarkGraph times Graph on shop after a build, and reports the time
// of the no-op `cargo build` that precedes it in krust build (the first,
// real build takes about half a minute, mostly serde_derive and syn):
//
//	go test ./cargo -run '^$' -bench BenchmarkGraph -benchtime 20x
func BenchmarkGraph(b *testing.B) {
	s := writeShop(b)
	var built []BuiltPackage
	build := func() time.Duration {
		cmd := exec.Command("cargo", "build", "--offline", "--target", tripleX86, "--package", "shop", "--bin", "shop", "--message-format=json")
		cmd.Dir, cmd.Env, cmd.Stderr = s.dir, s.env, os.Stderr
		start := time.Now()
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("cargo build: %v", err)
		}
		elapsed := time.Since(start)
		msgs, err := readMessages(bytes.NewReader(out), nil)
		if err != nil {
			b.Fatal(err)
		}
		built = msgs.packages
		return elapsed
	}
	b.Logf("first build: %v", build())
	var noop time.Duration
	for range 5 {
		noop += build()
	}
	req := DepsRequest{Dir: s.dir, Package: "shop", Bin: "shop", Triple: tripleX86, Args: []string{"--offline"}, Built: built}
	c := Cargo{Env: s.env}
	for b.Loop() {
		if _, err := c.Graph(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(noop.Nanoseconds()/5), "noop-build-ns")
}
