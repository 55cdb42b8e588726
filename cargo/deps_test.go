package cargo

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The testdata/deps-* files are real output of cargo 1.95 for the shop
// project of writeShop (its directory replaced by /home/dev/src): `cargo
// tree` as treeArgs asks, its Cargo.lock, and `cargo metadata
// --format-version 1 --filter-platform TRIPLE` cut down, from which
// recordedShop takes what the build and cargo metadata --no-deps report.
const (
	shopRoot = "path+file:///home/dev/src/shop#0.1.0"
	crateReg = "registry+https://github.com/rust-lang/crates.io-index#"
)

// recorded is the shop project as Graph sees it after a build.
type recorded struct {
	proj   *Project                  // what cargo metadata --no-deps lists
	built  []BuiltPackage            // every package of the resolve, as the build names them
	fields map[string]manifestFields // each package's, by its Cargo.toml
	tree   []byte
}

func recordedShop(t *testing.T, arch string) recorded {
	t.Helper()
	data, err := os.ReadFile("testdata/deps-metadata-" + arch + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		WorkspaceRoot    string    `json:"workspace_root"`
		WorkspaceMembers []string  `json:"workspace_members"`
		Packages         []Package `json:"packages"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	r := recorded{proj: &Project{WorkspaceRoot: m.WorkspaceRoot}, fields: map[string]manifestFields{}}
	for _, p := range m.Packages {
		if slices.Contains(m.WorkspaceMembers, p.ID) {
			r.proj.Packages = append(r.proj.Packages, p)
		}
		r.built = append(r.built, BuiltPackage{ID: p.ID, ManifestPath: p.ManifestPath})
		r.fields[p.ManifestPath] = packageFields(p)
	}
	if r.tree, err = os.ReadFile("testdata/deps-tree-" + arch + ".txt"); err != nil {
		t.Fatal(err)
	}
	return r
}

// joiner joins r with the Cargo.lock at lockPath, reading Cargo.toml
// fields from the recording.
func (r recorded) joiner(t *testing.T, lockPath string) *joiner {
	t.Helper()
	_, locked, err := readLockfile(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	j := newJoiner(r.proj, r.built, lockPath, locked)
	j.read = func(manifest string) (manifestFields, bool, error) {
		f, ok := r.fields[manifest]
		if !ok {
			return f, false, os.ErrNotExist
		}
		return f, true, nil
	}
	j.resolve = func(manifest string) (*Project, error) {
		t.Errorf("asked cargo for the fields of %s", manifest)
		return &Project{}, nil
	}
	return j
}

func (r recorded) graph(t *testing.T) *Graph {
	t.Helper()
	linked, err := parseTree(r.tree)
	if err != nil {
		t.Fatal(err)
	}
	root, err := r.proj.builtRoot("/home/dev/src/shop", "shop", "shop")
	if err != nil {
		t.Fatal(err)
	}
	g, err := r.joiner(t, "testdata/deps-Cargo.lock").graph(linked, root)
	if err != nil {
		t.Fatal(err)
	}
	return g
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
			g, err := parseTree(recordedShop(t, tc.arch).tree)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range g.order {
				names = append(names, p.name)
			}
			if root := g.order[0]; root != (treePackage{"shop", "0.1.0", "/home/dev/src/shop"}) {
				t.Errorf("first package %+v, want shop and its directory", root)
			}
			slices.Sort(names)
			slices.Sort(tc.want)
			if !slices.Equal(names, tc.want) {
				t.Errorf("cargo tree links %v, want %v", names, tc.want)
			}
			// The once_cell linked has its own features, not the build
			// script's parking_lot.
			once := treePackage{name: "once_cell", version: "1.17.0"}
			if got, want := sortedSet(g.features[once]), []string{"alloc", "default", "race", "std"}; !slices.Equal(got, want) {
				t.Errorf("once_cell's features = %v, want %v", got, want)
			}
			// serde_json is listed twice (under mylib, then under shop with
			// "(*)"): its edges come from the first.
			json := treePackage{name: "serde_json", version: "1.0.87"}
			want := []treePackage{{name: "itoa", version: "1.0.1"}, {name: "ryu", version: "1.0.2"}, {name: "serde", version: "1.0.152"}}
			if got := g.deps[json]; !slices.Equal(got, want) {
				t.Errorf("serde_json's dependencies = %v, want %v", got, want)
			}
			git := treePackage{"gitdep", "0.3.0", "file:///home/dev/src/gitdep?branch=main#6383c4c2"}
			if _, ok := g.deps[git]; !ok {
				t.Errorf("gitdep not read as %+v", git)
			}
		})
	}
}

func TestGraphRecorded(t *testing.T) {
	for _, arch := range []string{"x86_64", "aarch64"} {
		t.Run(arch, func(t *testing.T) {
			g := recordedShop(t, arch).graph(t)
			byName := map[string]Crate{}
			var names []string
			for _, c := range g.Crates {
				byName[c.Name] = c
				names = append(names, c.Name)
			}
			want := []string{"gitdep", "itoa", "mylib", "once_cell", "ryu", "serde", "serde_json", "shop"}
			if arch == "aarch64" {
				want = []string{"cfg-if", "gitdep", "itoa", "log", "mylib", "once_cell", "ryu", "serde", "serde_json", "shop"}
			}
			if !slices.Equal(names, want) {
				t.Fatalf("crates %v, want %v, sorted by name", names, want)
			}
			crates := Source{Kind: SourceRegistry, URL: CratesIO}
			tests := []struct {
				name, id, license, description, checksum string
				source                                   Source
			}{
				{"serde_json", crateReg + "serde_json@1.0.87", "MIT OR Apache-2.0", "A JSON serialization file format", "6ce777b7b150d76b9cf60d28b55f5847135a003f7d7350c6be7a773508ce7d45", crates},
				{"ryu", crateReg + "ryu@1.0.2", "Apache-2.0 OR BSL-1.0", "Fast floating point to string conversion", "bfa8506c1de11c9c4e4c38863ccbe02a305c8188e85a05a784c9e11e1c3910c8", crates},
				// Debian's packaged once_cell has no checksum: Cargo.lock says
				// "Could not get crate checksum", which is not one.
				{"once_cell", crateReg + "once_cell@1.17.0", "MIT OR Apache-2.0", "Single assignment cells and lazy values.", "", crates},
				{"mylib", "path+file:///home/dev/src/shop/mylib#0.2.0", "Apache-2.0", "", "", Source{Kind: SourcePath, Path: "mylib"}},
				{"shop", shopRoot, "MIT", "The root package", "", Source{Kind: SourcePath, Path: "."}},
				{"gitdep", "git+file:///home/dev/src/gitdep?branch=main#0.3.0", "MIT", "A git dependency", "",
					Source{Kind: SourceGit, URL: "file:///home/dev/src/gitdep", Ref: "branch=main", Rev: "6383c4c2f6b9fd67f60a8cfb7af811478fbaf680"}},
			}
			for _, tc := range tests {
				c := byName[tc.name]
				if c.ID != tc.id || c.License != tc.license || c.Description != tc.description || c.Checksum != tc.checksum || c.Source != tc.source {
					t.Errorf("%s: %s license %q description %q checksum %q source %+v;\nwant %s %q %q %q %+v",
						tc.name, c.ID, c.License, c.Description, c.Checksum, c.Source, tc.id, tc.license, tc.description, tc.checksum, tc.source)
				}
			}
			if c := byName["serde"]; c.Homepage != "https://serde.rs" || c.Repository != "https://github.com/serde-rs/serde" {
				t.Errorf("serde: homepage %q repository %q", c.Homepage, c.Repository)
			}
			wantRoot := []string{
				"git+file:///home/dev/src/gitdep?branch=main#0.3.0", "path+file:///home/dev/src/shop/mylib#0.2.0",
				crateReg + "once_cell@1.17.0", crateReg + "serde@1.0.152", crateReg + "serde_json@1.0.87",
			}
			if arch == "aarch64" {
				wantRoot = append(wantRoot, crateReg+"log@0.4.17")
				slices.Sort(wantRoot)
			}
			if got := byName["shop"].Dependencies; !slices.Equal(got, wantRoot) {
				t.Errorf("shop's linked dependencies = %v, want %v", got, wantRoot)
			}
			if got, want := byName["shop"].Features, []string{"cell", "default"}; !slices.Equal(got, want) {
				t.Errorf("shop's features %v, want %v", got, want)
			}
			if g.Root != shopRoot {
				t.Errorf("root %s, want %s", g.Root, shopRoot)
			}
		})
	}
}

func TestParseTreeErrors(t *testing.T) {
	root := "0cell,default|shop v0.1.0 (/home/dev/src/shop)\n"
	tests := []struct {
		name, tree, want string
	}{
		{"empty", "", "printed nothing"},
		{"no depth", "cell|shop v0.1.0\n", "no depth"},
		{"no package", "0cell,default\n", "not FEATURES|NAME vVERSION"},
		{"no version", "0|shop 0.1.0\n", "not FEATURES|NAME vVERSION"},
		{"depth jump", root + "2|itoa v1.0.1\n", "depth 2 after depth 0"},
		{"second root", root + "0|mylib v0.2.0\n", "depth 0 after depth 0"},
		{"proc macro", root + "1default|serde_derive v1.0.152 (proc-macro)\n", "serde_derive 1.0.152 is a proc macro"},
		{"proc macro from a path", root + "1|pm v0.1.0 (proc-macro) (/x/pm)\n", "pm 0.1.0 is a proc macro"},
		{"not a source", root + "1|itoa v1.0.1 extra\n", `"extra" after the version is not (SOURCE)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseTree([]byte(tc.tree))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseTree = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestJoinErrors: what cargo tree says is linked must be what the build
// compiled, in Cargo.lock, and start at the package built.
func TestJoinErrors(t *testing.T) {
	r := recordedShop(t, "x86_64")
	root := "0cell,default|shop v0.1.0 (/home/dev/src/shop)\n"
	emptyLock := filepath.Join(t.TempDir(), LockfileName)
	writeTestFile(t, emptyLock, "version = 4\n")
	tests := []struct {
		name, tree, lock string
		drop             string // a package the build did not compile
		want             string
	}{
		{"another root", "0|mylib v0.2.0 (/home/dev/src/shop/mylib)\n", "", "", "cargo tree starts at mylib 0.2.0, not at the package built, shop 0.1.0"},
		{"not built", root + "1alloc,default,std|hex v0.4.3\n", "", crateReg + "hex@0.4.3", "cargo tree links hex 0.4.3, which the build did not compile"},
		{"built from another source", root + "1|mylib v0.2.0 (/home/dev/src/shop/mylib)\n", "", "path+file:///home/dev/src/shop/mylib#0.2.0", "cargo tree links mylib 0.2.0 (/home/dev/src/shop/mylib), which the build did not compile"},
		{"wrong version", root + "1|serde v1.0.0\n", "", "", "has no entry for serde 1.0.0, which cargo tree links"},
		{"Cargo.lock without it", root, emptyLock, "", emptyLock + " has no entry for shop 0.1.0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			linked, err := parseTree([]byte(tc.tree))
			if err != nil {
				t.Fatal(err)
			}
			lock := tc.lock
			if lock == "" {
				lock = "testdata/deps-Cargo.lock"
			}
			rr := r
			rr.built = slices.DeleteFunc(slices.Clone(r.built), func(b BuiltPackage) bool { return b.ID == tc.drop })
			root, _ := r.proj.builtRoot("/home/dev/src/shop", "", "")
			_, err = rr.joiner(t, lock).graph(linked, root)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("graph = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestLockSourceChoice: when Cargo.lock has several packages of one name
// and version, the source cargo tree prints picks one.
func TestLockSourceChoice(t *testing.T) {
	const (
		io    = "registry+https://github.com/rust-lang/crates.io-index"
		other = "sparse+https://crates.example.com/index/"
		git   = "git+https://example.com/fork?branch=main#0123456789abcdef0123456789abcdef01234567"
		git2  = "git+https://example.com/other?branch=main#fedcba9876543210fedcba9876543210fedcba98"
	)
	locked := lockedPackages{}
	for _, s := range []string{io, other, git, git2, ""} {
		locked[lockKey{"x", "1.0.0", s}] = ""
	}
	locked[lockKey{"only", "2.0.0", git}] = ""
	j := newJoiner(&Project{}, nil, "Cargo.lock", locked)
	tests := []struct {
		pkg  treePackage
		want string
	}{
		{treePackage{"x", "1.0.0", ""}, io},
		{treePackage{"x", "1.0.0", "registry `mine`"}, other},
		{treePackage{"x", "1.0.0", "/home/dev/x"}, ""},
		{treePackage{"x", "1.0.0", "https://example.com/fork?branch=main#01234567"}, git},
		{treePackage{"x", "1.0.0", "https://example.com/other?branch=main#fedcba98"}, git2},
		{treePackage{"only", "2.0.0", "https://example.com/fork?branch=main#01234567"}, git},
	}
	for _, tc := range tests {
		got, err := j.lockSource(tc.pkg)
		if err != nil || got != tc.want {
			t.Errorf("lockSource(%s) = %q, %v; want %q", tc.pkg, got, err, tc.want)
		}
	}
	if _, err := j.lockSource(treePackage{"x", "1.0.0", "https://elsewhere.example.com/x#abcdef12"}); err == nil || !strings.Contains(err.Error(), "krust cannot tell which") {
		t.Errorf("a git source of neither repository: %v", err)
	}
}

// TestBuiltPackageChoice: the build's package is the one of the name,
// version and source Cargo.lock has; a path package, whose ID the build
// may name through another directory, the only path package of that name
// and version.
func TestBuiltPackageChoice(t *testing.T) {
	built := []BuiltPackage{
		{ID: crateReg + "x@1.0.0", ManifestPath: "/home/.cargo/registry/src/x-1.0.0/Cargo.toml"},
		{ID: "git+https://example.com/fork?branch=main#x@1.0.0", ManifestPath: "/home/.cargo/git/checkouts/x/0123456/Cargo.toml"},
		{ID: "x 1.0.0 (sparse+https://crates.example.com/index/)", ManifestPath: "/home/.cargo/registry/src/crates.example.com/x-1.0.0/Cargo.toml"},
		{ID: "path+file:///tmp/krust-build-0/app/x#1.0.0", ManifestPath: "/tmp/krust-build-0/app/x/Cargo.toml"},
		{ID: "not an ID", ManifestPath: "/nowhere"},
	}
	j := newJoiner(&Project{}, built, "Cargo.lock", nil)
	tests := []struct {
		pkg    treePackage
		source string
		want   string
	}{
		{treePackage{"x", "1.0.0", ""}, "registry+https://github.com/rust-lang/crates.io-index", built[0].ID},
		{treePackage{"x", "1.0.0", "https://example.com/fork?branch=main#01234567"}, "git+https://example.com/fork?branch=main#0123456789abcdef0123456789abcdef01234567", built[1].ID},
		{treePackage{"x", "1.0.0", "registry `mine`"}, "sparse+https://crates.example.com/index/", built[2].ID},
		{treePackage{"x", "1.0.0", "/home/dev/app/x"}, "", built[3].ID},
	}
	for _, tc := range tests {
		got, err := j.builtPackage(tc.pkg, tc.source)
		if err != nil || got.ID != tc.want {
			t.Errorf("builtPackage(%s) = %q, %v; want %q", tc.pkg, got.ID, err, tc.want)
		}
	}
}

func TestParsePackageID(t *testing.T) {
	tests := []struct {
		id   string
		want packageID
		ok   bool
	}{
		{crateReg + "serde@1.0.152", packageID{"serde", "1.0.152", "registry+https://github.com/rust-lang/crates.io-index"}, true},
		{"path+file:///home/dev/src/shop#0.1.0", packageID{"shop", "0.1.0", "path+file:///home/dev/src/shop"}, true},
		{"path+file:///tmp/p/proj#crates-krust@0.1.0", packageID{"crates-krust", "0.1.0", "path+file:///tmp/p/proj"}, true},
		{"git+file:///home/dev/src/gitdep?branch=main#0.3.0", packageID{"gitdep", "0.3.0", "git+file:///home/dev/src/gitdep?branch=main"}, true},
		{"git+https://example.com/repo#gd@0.4.0+build.1", packageID{"gd", "0.4.0+build.1", "git+https://example.com/repo"}, true},
		{"sparse+https://crates.example.com/index/#x@1.0.0", packageID{"x", "1.0.0", "sparse+https://crates.example.com/index/"}, true},
		// cargo before 1.77 (Debian's 1.65).
		{"serde 1.0.152 (registry+https://github.com/rust-lang/crates.io-index)", packageID{"serde", "1.0.152", "registry+https://github.com/rust-lang/crates.io-index"}, true},
		{"greeting 0.1.0 (path+file:///tmp/my%20proj/greeting)", packageID{"greeting", "0.1.0", "path+file:///tmp/my%20proj/greeting"}, true},
		{"gitdep 0.3.0 (git+file:///src/gitdep?branch=main#6383c4c2f6b9fd67f60a8cfb7af811478fbaf680)", packageID{"gitdep", "0.3.0", "git+file:///src/gitdep?branch=main"}, true},
		{"", packageID{}, false},
		{"serde", packageID{}, false},
		{"serde 1.0.152", packageID{}, false},
		{"#1.0.0", packageID{}, false},
		{"registry+https://x/#", packageID{}, false},
	}
	for _, tc := range tests {
		got, ok := parsePackageID(tc.id)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parsePackageID(%q) = %+v, %v; want %+v, %v", tc.id, got, ok, tc.want, tc.ok)
		}
	}
	if dir := (packageID{source: "path+file:///tmp/my%20proj/greeting"}).dir(); dir != "/tmp/my proj/greeting" {
		t.Errorf("dir = %q", dir)
	}
}

func TestRootSelection(t *testing.T) {
	proj := recordedShop(t, "x86_64").proj
	tests := []struct {
		dir, pkg, bin, want, wantErr string
	}{
		{"/home/dev/src/shop", "shop", "shop", shopRoot, ""},
		{"/home/dev/src/shop", "", "", shopRoot, ""},
		{"/home/dev/src/shop/mylib", "", "", "path+file:///home/dev/src/shop/mylib#0.2.0", ""},
		{"/home/dev/src/shop", "mylib", "", "path+file:///home/dev/src/shop/mylib#0.2.0", ""},
		{"/home/dev/src/shop", "mylib", "mylib", "", `package mylib has no binary "mylib"`},
		{"/home/dev/src/shop", "serde", "", "", `no package "serde" in the workspace at /home/dev/src/shop`},
		{"/home/dev/src/shop", "shop", "other", "", `package shop has no binary "other"`},
	}
	for _, tc := range tests {
		got, err := proj.builtRoot(tc.dir, tc.pkg, tc.bin)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("builtRoot(%q, %q) = %q, %v; want error %q", tc.pkg, tc.bin, got.ID, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got.ID != tc.want {
			t.Errorf("builtRoot(%q, %q) = %q, %v; want %q", tc.pkg, tc.bin, got.ID, err, tc.want)
		}
	}
}

func TestSourceArgs(t *testing.T) {
	in := []string{"--features=a,b", "--all-features", "--no-default-features", "--locked", "--offline", "--frozen",
		"--config=net.offline=true", "-Z", "unstable-options", "--config", "target.x.rustflags=[\"-C\"]"}
	want := []string{"--offline", "--frozen", "--config=net.offline=true", "-Z", "unstable-options", "--config", "target.x.rustflags=[\"-C\"]"}
	if got := sourceArgs(in); !slices.Equal(got, want) {
		t.Errorf("sourceArgs = %q, want %q", got, want)
	}
}

// TestInheritedFieldsAskedOncePerWorkspace: crates whose Cargo.toml
// inherits fields from their workspace (the crates of one git repository)
// cost one cargo metadata --no-deps for the workspace, not one each.
func TestInheritedFieldsAskedOncePerWorkspace(t *testing.T) {
	ws := &Project{WorkspaceRoot: "/git/repo", Packages: []Package{
		{ID: "a", ManifestPath: "/git/repo/a/Cargo.toml", Description: "A", License: "MIT"},
		{ID: "b", ManifestPath: "/git/repo/b/Cargo.toml", Description: "B", Homepage: "https://h"},
	}}
	j := newJoiner(&Project{}, nil, "Cargo.lock", nil)
	j.read = func(string) (manifestFields, bool, error) { return manifestFields{}, false, nil }
	asked := 0
	j.resolve = func(manifest string) (*Project, error) {
		asked++
		return ws, nil
	}
	for _, m := range ws.Packages {
		f, err := j.fields(m.ManifestPath)
		if err != nil || f != packageFields(m) {
			t.Errorf("fields(%s) = %+v, %v; want %+v", m.ManifestPath, f, err, packageFields(m))
		}
	}
	if asked != 1 {
		t.Errorf("cargo asked %d times for one workspace", asked)
	}
	if _, err := j.fields("/elsewhere/Cargo.toml"); err == nil || !strings.Contains(err.Error(), "does not list its package") {
		t.Errorf("a package cargo does not list: %v", err)
	}
}
