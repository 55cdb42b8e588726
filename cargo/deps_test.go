package cargo

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The testdata/deps-* files are real output of cargo 1.95 for the shop
// project of writeShop (its directory replaced by /home/dev/src): `cargo
// metadata --format-version 1 --filter-platform TRIPLE` cut down to the
// fields krust reads, `cargo tree` as treeArgs asks, and its Cargo.lock.
const (
	shopRoot = "path+file:///home/dev/src/shop#0.1.0"
	crateReg = "registry+https://github.com/rust-lang/crates.io-index#"
)

func loadDeps(t *testing.T, arch string) (*depsMetadata, []byte) {
	t.Helper()
	data, err := os.ReadFile("testdata/deps-metadata-" + arch + ".json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseDepsMetadata(data)
	if err != nil {
		t.Fatalf("parseDepsMetadata(%s): %v", arch, err)
	}
	tree, err := os.ReadFile("testdata/deps-tree-" + arch + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	return m, tree
}

// names lists the package names of g's crates, sorted.
func (m *depsMetadata) names(g linkGraph) []string {
	var names []string
	for id := range g.deps {
		names = append(names, m.pkgs[id].Name)
	}
	slices.Sort(names)
	return names
}

func TestWalkRecordedMetadata(t *testing.T) {
	// What the resolve graph of cargo metadata reaches from shop along
	// normal dependencies without proc macros. Left out: hex (a
	// dev-dependency and an optional dependency not enabled), autocfg (a
	// build-dependency), serde_derive (a proc macro) and syn, quote,
	// proc-macro2 and unicode-ident (only the proc macro's). Kept: itoa, a
	// build-dependency that serde_json and gitdep link too. Metadata's
	// once_cell has the features of its use by the build script too, so
	// parking_lot_core and what it uses are reached: the superset that
	// parseTree narrows.
	base := []string{"cfg-if", "gitdep", "itoa", "libc", "mylib", "once_cell", "parking_lot_core", "ryu", "serde", "serde_json", "shop", "smallvec"}
	tests := []struct {
		arch string
		want []string
	}{
		{"x86_64", base},
		{"aarch64", append(slices.Clone(base), "log")}, // [target.'cfg(target_arch = "aarch64")'.dependencies]
	}
	for _, tc := range tests {
		t.Run(tc.arch, func(t *testing.T) {
			m, _ := loadDeps(t, tc.arch)
			root, err := m.root("shop", "shop")
			if err != nil || root != shopRoot {
				t.Fatalf("root = %q, %v; want %s", root, err, shopRoot)
			}
			g := m.walk(root)
			slices.Sort(tc.want)
			if got := m.names(g); !slices.Equal(got, tc.want) {
				t.Errorf("walk reaches %v, want %v", got, tc.want)
			}
			wantFeatures := map[string][]string{
				shopRoot:                      {"cell", "default"},
				crateReg + "serde@1.0.152":    {"default", "derive", "serde_derive", "std"},
				crateReg + "once_cell@1.17.0": {"alloc", "default", "parking_lot", "parking_lot_core", "race", "std"},
				crateReg + "itoa@1.0.1":       nil,
			}
			for id, want := range wantFeatures {
				if got := g.features[id]; !slices.Equal(got, want) {
					t.Errorf("features of %s = %v, want %v", id, got, want)
				}
			}
			wantRoot := []string{
				"git+file:///home/dev/src/gitdep?branch=main#0.3.0", "path+file:///home/dev/src/shop/mylib#0.2.0",
				crateReg + "once_cell@1.17.0", crateReg + "serde@1.0.152", crateReg + "serde_json@1.0.87",
			}
			if tc.arch == "aarch64" {
				wantRoot = append(wantRoot, crateReg+"log@0.4.17")
				slices.Sort(wantRoot)
			}
			if got := g.deps[shopRoot]; !slices.Equal(got, wantRoot) {
				t.Errorf("shop's linked dependencies = %v, want %v", got, wantRoot)
			}
		})
	}
}

func TestParseTreeRecorded(t *testing.T) {
	base := []string{"gitdep", "itoa", "mylib", "once_cell", "ryu", "serde", "serde_json", "shop"}
	tests := []struct {
		arch string
		want []string
	}{
		{"x86_64", base},
		{"aarch64", append(slices.Clone(base), "cfg-if", "log")},
	}
	for _, tc := range tests {
		t.Run(tc.arch, func(t *testing.T) {
			m, tree := loadDeps(t, tc.arch)
			g, err := parseTree(tree, shopRoot, m)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(tc.want)
			if got := m.names(g); !slices.Equal(got, tc.want) {
				t.Errorf("cargo tree links %v, want %v", got, tc.want)
			}
			// The once_cell linked has its own features, not the build
			// script's parking_lot.
			if got, want := g.features[crateReg+"once_cell@1.17.0"], []string{"alloc", "default", "race", "std"}; !slices.Equal(got, want) {
				t.Errorf("once_cell's features = %v, want %v", got, want)
			}
			// serde_json is listed twice (under mylib, then under shop with
			// "(*)"): its edges come from the first.
			want := []string{crateReg + "itoa@1.0.1", crateReg + "ryu@1.0.2", crateReg + "serde@1.0.152"}
			if got := g.deps[crateReg+"serde_json@1.0.87"]; !slices.Equal(got, want) {
				t.Errorf("serde_json's dependencies = %v, want %v", got, want)
			}
			if err := g.within(m.walk(shopRoot)); err != nil {
				t.Errorf("within the walk: %v", err)
			}
		})
	}
}

func TestGraphRecorded(t *testing.T) {
	m, tree := loadDeps(t, "x86_64")
	g, err := m.graph(shopRoot, tree, "testdata/deps-Cargo.lock")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Crate{}
	for _, c := range g.Crates {
		byName[c.Name] = c
	}
	if got := slices.Sorted(maps.Keys(byName)); !slices.Equal(got, []string{"gitdep", "itoa", "mylib", "once_cell", "ryu", "serde", "serde_json", "shop"}) {
		t.Fatalf("crates %v", got)
	}
	if !slices.IsSortedFunc(g.Crates, func(a, b Crate) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("crates not sorted by name")
	}
	crates := Source{Kind: SourceRegistry, URL: CratesIO}
	tests := []struct {
		name, license, checksum string
		source                  Source
	}{
		{"serde_json", "MIT OR Apache-2.0", "6ce777b7b150d76b9cf60d28b55f5847135a003f7d7350c6be7a773508ce7d45", crates},
		{"ryu", "Apache-2.0 OR BSL-1.0", "bfa8506c1de11c9c4e4c38863ccbe02a305c8188e85a05a784c9e11e1c3910c8", crates},
		// Debian's packaged once_cell has no checksum: Cargo.lock says
		// "Could not get crate checksum", which is not one.
		{"once_cell", "MIT OR Apache-2.0", "", crates},
		{"mylib", "Apache-2.0", "", Source{Kind: SourcePath, Path: "mylib"}},
		{"shop", "MIT", "", Source{Kind: SourcePath, Path: "."}},
		{"gitdep", "MIT", "", Source{Kind: SourceGit, URL: "file:///home/dev/src/gitdep", Ref: "branch=main", Rev: "6383c4c2f6b9fd67f60a8cfb7af811478fbaf680"}},
	}
	for _, tc := range tests {
		c := byName[tc.name]
		if c.License != tc.license || c.Checksum != tc.checksum || c.Source != tc.source {
			t.Errorf("%s: license %q checksum %q source %+v; want %q %q %+v", tc.name, c.License, c.Checksum, c.Source, tc.license, tc.checksum, tc.source)
		}
	}
	if g.Root != shopRoot || g.Lockfile.Path != "testdata/deps-Cargo.lock" || g.Lockfile.Digest.Validate() != nil {
		t.Errorf("root %s, lockfile %+v", g.Root, g.Lockfile)
	}
}

func TestParseTreeErrors(t *testing.T) {
	m, _ := loadDeps(t, "x86_64")
	root := "0cell,default|shop v0.1.0 (/home/dev/src/shop)\n"
	tests := []struct {
		name, tree, want string
	}{
		{"empty", "", "printed nothing"},
		{"another root", "0|mylib v0.2.0 (/home/dev/src/shop/mylib)\n", "not at the package built"},
		{"no depth", "cell|shop v0.1.0\n", "no depth"},
		{"no package", "0cell,default\n", "not FEATURES|NAME vVERSION"},
		{"depth jump", root + "2|itoa v1.0.1\n", "depth 2 after depth 0"},
		{"second root", root + "0|mylib v0.2.0\n", "depth 0 after depth 0"},
		{"not a dependency", root + "1|ryu v1.0.2\n", "which cargo metadata does not list"},
		{"build-dependency", root + "1|autocfg v1.1.0\n", "which cargo metadata does not list"},
		{"dev-dependency", root + "1alloc,default,std|hex v0.4.3\n", "which cargo metadata does not list"},
		{"wrong version", root + "1|serde v1.0.0\n", "which cargo metadata does not list"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseTree([]byte(tc.tree), shopRoot, m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseTree = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestTreeWithinWalk: a proc macro that cargo tree listed would be caught.
func TestTreeWithinWalk(t *testing.T) {
	m, _ := loadDeps(t, "x86_64")
	tree := "0cell,default|shop v0.1.0\n1default,derive,serde_derive,std|serde v1.0.152\n2default|serde_derive v1.0.152 (proc-macro)\n"
	g, err := parseTree([]byte(tree), shopRoot, m)
	if err != nil {
		t.Fatal(err)
	}
	err = g.within(m.walk(shopRoot))
	if err == nil || !strings.Contains(err.Error(), "serde_derive@1.0.152, which the resolve graph of cargo metadata does not reach") {
		t.Errorf("within = %v, want serde_derive refused", err)
	}
}

func TestRootSelection(t *testing.T) {
	m, _ := loadDeps(t, "x86_64")
	tests := []struct {
		pkg, bin, want, wantErr string
	}{
		{"shop", "shop", shopRoot, ""},
		{"", "", shopRoot, ""},
		{"mylib", "", "path+file:///home/dev/src/shop/mylib#0.2.0", ""},
		{"mylib", "mylib", "", `package mylib has no binary "mylib"`},
		{"serde", "", "", `no package "serde" among the members of the workspace at /home/dev/src/shop`},
		{"shop", "other", "", `package shop has no binary "other"`},
	}
	for _, tc := range tests {
		got, err := m.root(tc.pkg, tc.bin)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("root(%q, %q) = %q, %v; want error %q", tc.pkg, tc.bin, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("root(%q, %q) = %q, %v; want %q", tc.pkg, tc.bin, got, err, tc.want)
		}
	}
}

func TestParseDepsMetadataErrors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"no deps", `{"packages":[],"resolve":null}`, "--no-deps"},
		{"node without package", `{"packages":[],"resolve":{"nodes":[{"id":"x"}]}}`, "resolve node x is not among its packages"},
		{"not json", `{`, "read cargo metadata"},
	}
	for _, tc := range tests {
		if _, err := parseDepsMetadata([]byte(tc.doc)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	big := make([]byte, MaxMetadataBytes+1)
	if _, err := parseDepsMetadata(big); err == nil || !strings.Contains(err.Error(), "33554432") {
		t.Errorf("oversized metadata: %v", err)
	}
}

func TestCratesNeedsLockEntry(t *testing.T) {
	m, tree := loadDeps(t, "x86_64")
	lock := filepath.Join(t.TempDir(), LockfileName)
	writeTestFile(t, lock, "version = 4\n")
	_, err := m.graph(shopRoot, tree, lock)
	if err == nil || !strings.Contains(err.Error(), lock+" has no entry for") {
		t.Errorf("graph with an empty Cargo.lock = %v, want an error naming it", err)
	}
}
