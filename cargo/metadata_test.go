package cargo

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// The testdata/metadata-*.json files are real `cargo metadata
// --format-version 1 --no-deps` output (cargo 1.95) for throwaway crates,
// with their directory replaced by /home/dev/src.
const srcDir = "/home/dev/src"

func loadProject(t *testing.T, name string) *Project {
	t.Helper()
	data, err := os.ReadFile("testdata/metadata-" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseMetadata(data)
	if err != nil {
		t.Fatalf("ParseMetadata(%s): %v", name, err)
	}
	return p
}

func TestParseMetadata(t *testing.T) {
	type pkg struct {
		name, version, manifest, description, license, repository string
		bins                                                      []string
	}
	tests := []struct {
		file          string
		wantRoot      string
		wantTargetDir string
		wantPackages  []pkg
	}{
		{
			file: "single", wantRoot: srcDir + "/hello_krust", wantTargetDir: srcDir + "/hello_krust/target",
			wantPackages: []pkg{{"hello_krust", "0.1.0", srcDir + "/hello_krust/Cargo.toml", "", "", "", []string{"hello_krust"}}},
		},
		{
			file: "multibin", wantRoot: srcDir + "/multibin", wantTargetDir: srcDir + "/multibin/target",
			wantPackages: []pkg{{
				"multibin", "0.3.1", srcDir + "/multibin/Cargo.toml", "Two binaries and a library",
				"MIT OR Apache-2.0", "https://example.com/multibin", []string{"admin-cli", "server"},
			}},
		},
		{
			file: "libonly", wantRoot: srcDir + "/libonly", wantTargetDir: srcDir + "/libonly/target",
			wantPackages: []pkg{{"libonly", "0.1.0", srcDir + "/libonly/Cargo.toml", "", "", "", nil}},
		},
		{
			file: "workspace", wantRoot: srcDir + "/ws", wantTargetDir: srcDir + "/ws/target",
			wantPackages: []pkg{
				{"api", "0.1.0", srcDir + "/ws/api/Cargo.toml", "", "", "", []string{"api"}},
				{"worker", "0.1.0", srcDir + "/ws/worker/Cargo.toml", "", "", "", []string{"worker"}},
				{"common", "0.1.0", srcDir + "/ws/common/Cargo.toml", "", "", "", nil},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			p := loadProject(t, tc.file)
			if p.WorkspaceRoot != tc.wantRoot || p.TargetDir != tc.wantTargetDir {
				t.Errorf("root, target dir = %q, %q; want %q, %q", p.WorkspaceRoot, p.TargetDir, tc.wantRoot, tc.wantTargetDir)
			}
			if len(p.Packages) != len(tc.wantPackages) {
				t.Fatalf("%d packages, want %d", len(p.Packages), len(tc.wantPackages))
			}
			for i, w := range tc.wantPackages {
				g := p.Packages[i]
				got := pkg{g.Name, g.Version, g.ManifestPath, g.Description, g.License, g.Repository, g.Bins()}
				if got.name != w.name || got.version != w.version || got.manifest != w.manifest ||
					got.description != w.description || got.license != w.license || got.repository != w.repository ||
					!slices.Equal(got.bins, w.bins) {
					t.Errorf("package %d = %+v, want %+v", i, got, w)
				}
			}
		})
	}
}

func TestParseMetadataInvalid(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		cause func(error) bool // the error it wraps
	}{
		{"empty", "", isSyntaxError},
		{"not JSON", "error: could not find `Cargo.toml`", isSyntaxError},
		{"truncated", `{"packages":[{"name":"x"`, isSyntaxError},
		{"wrong type", `{"packages":{"name":"x"}}`, isTypeError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseMetadata([]byte(tc.data))
			if err == nil {
				t.Fatalf("ParseMetadata(%q) = %+v, want an error", tc.data, p)
			}
			if p != nil {
				t.Errorf("ParseMetadata returned %+v with its error", p)
			}
			if !strings.Contains(err.Error(), "cargo metadata") {
				t.Errorf("error %q does not mention cargo metadata", err)
			}
			if !tc.cause(err) {
				t.Errorf("error %q does not wrap the JSON decoder's error", err)
			}
		})
	}
}

func TestBins(t *testing.T) {
	tests := []struct {
		name    string
		targets []Target
		want    []string
	}{
		{"none", nil, nil},
		{"lib only", []Target{{Name: "x", Kind: []string{"lib"}}}, nil},
		{"sorted", []Target{
			{Name: "zeta", Kind: []string{"bin"}},
			{Name: "lib", Kind: []string{"lib"}},
			{Name: "alpha", Kind: []string{"bin"}},
			{Name: "build-script-build", Kind: []string{"custom-build"}},
			{Name: "demo", Kind: []string{"example"}},
		}, []string{"alpha", "zeta"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := (Package{Targets: tc.targets}).Bins(); !slices.Equal(got, tc.want) {
				t.Errorf("Bins() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSelectPackage(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		dir, pkg  string
		want      string
		wantInErr []string
	}{
		{name: "single package", file: "single", dir: srcDir + "/hello_krust", want: "hello_krust"},
		{name: "single package by name", file: "single", dir: srcDir + "/hello_krust", pkg: "hello_krust", want: "hello_krust"},
		{name: "dir with trailing slash", file: "single", dir: srcDir + "/hello_krust/", want: "hello_krust"},
		{name: "member directory", file: "workspace", dir: srcDir + "/ws/worker", want: "worker"},
		{name: "-p from the root", file: "workspace", dir: srcDir + "/ws", pkg: "api", want: "api"},
		{name: "-p from another member", file: "workspace", dir: srcDir + "/ws/worker", pkg: "common", want: "common"},
		{
			name: "virtual root without -p", file: "workspace", dir: srcDir + "/ws",
			wantInErr: []string{srcDir + "/ws/Cargo.toml", "choose a member", "api, common, worker"},
		},
		{
			name: "-p unknown", file: "workspace", dir: srcDir + "/ws", pkg: "nope",
			wantInErr: []string{`"nope"`, srcDir + "/ws", "api, common, worker"},
		},
		{
			name: "-p unknown in single package", file: "single", dir: srcDir + "/hello_krust", pkg: "hello-krust",
			wantInErr: []string{`"hello-krust"`, "members: hello_krust"},
		},
		{
			name: "directory outside the workspace", file: "single", dir: srcDir + "/other",
			wantInErr: []string{srcDir + "/other/Cargo.toml", "hello_krust"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := loadProject(t, tc.file)
			got, err := p.SelectPackage(tc.dir, tc.pkg)
			if tc.wantInErr != nil {
				if err == nil {
					t.Fatalf("SelectPackage(%q, %q) = %s, want an error", tc.dir, tc.pkg, got.Name)
				}
				if isRoot := tc.pkg == ""; isRoot != errors.Is(err, ErrVirtualWorkspace) || strings.Contains(err.Error(), "-p") {
					t.Errorf("error %q: ErrVirtualWorkspace %v, want %v, naming no flag", err, !isRoot, isRoot)
				}
				for _, s := range tc.wantInErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("SelectPackage(%q, %q): %v", tc.dir, tc.pkg, err)
			}
			if got.Name != tc.want {
				t.Errorf("SelectPackage(%q, %q) = %s, want %s", tc.dir, tc.pkg, got.Name, tc.want)
			}
		})
	}
}

func TestSelectPackageNoMembers(t *testing.T) {
	tests := []struct {
		name string
		pkg  string
	}{
		{"without -p", ""},
		{"with -p", "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &Project{WorkspaceRoot: "/w"}
			_, err := p.SelectPackage("/w", tc.pkg)
			if err == nil || !strings.Contains(err.Error(), "none") {
				t.Fatalf("SelectPackage = %v, want an error listing no members", err)
			}
		})
	}
}

func TestSelectBin(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		pkg       string
		bin       string
		want      string
		wantInErr []string
		wantIs    error // nil: the bin setting names no binary
		// defaultRun, when set, replaces the package's default-run.
		defaultRun string
	}{
		{name: "only binary", file: "single", want: "hello_krust"},
		{name: "only binary named", file: "single", bin: "hello_krust", want: "hello_krust"},
		{name: "several binaries, --bin", file: "multibin", bin: "admin-cli", want: "admin-cli"},
		{name: "several binaries, other --bin", file: "multibin", bin: "server", want: "server"},
		{
			name: "several binaries without --bin", file: "multibin",
			wantInErr: []string{"multibin", "several binaries", "admin-cli, server", "choose one"}, wantIs: ErrWhichBinary,
		},
		{
			name: "--bin that does not exist", file: "multibin", bin: "client",
			wantInErr: []string{`"client"`, "admin-cli, server"},
		},
		{
			name: "--bin naming the library", file: "multibin", bin: "multibin",
			wantInErr: []string{`"multibin"`, "admin-cli, server"},
		},
		{
			name: "--bin naming the build script", file: "multibin", bin: "build-script-build",
			wantInErr: []string{`"build-script-build"`},
		},
		{
			name: "library only", file: "libonly",
			wantInErr: []string{"libonly", "library", "pick another package"}, wantIs: ErrNoBinary,
		},
		{
			name: "library only with --bin", file: "libonly", bin: "libonly",
			wantInErr: []string{`"libonly"`, "none"},
		},
		{name: "workspace member", file: "workspace", pkg: "api", want: "api"},
		{name: "several binaries, default-run", file: "defaultrun", want: "server"},
		{name: "several binaries, --bin over default-run", file: "defaultrun", bin: "admin", want: "admin"},
		{
			name: "default-run naming no binary", file: "defaultrun", defaultRun: "gone",
			wantInErr: []string{`default-run names "gone"`, "admin, server", "or choose one"}, wantIs: ErrWhichBinary,
		},
		{
			name: "workspace library member", file: "workspace", pkg: "common",
			wantInErr: []string{"common", "library"}, wantIs: ErrNoBinary,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := loadProject(t, tc.file)
			pkg := p.Packages[0]
			if tc.pkg != "" {
				var err error
				if pkg, err = p.SelectPackage(p.WorkspaceRoot, tc.pkg); err != nil {
					t.Fatal(err)
				}
			}
			if tc.defaultRun != "" {
				pkg.DefaultRun = tc.defaultRun
			}
			got, err := SelectBin(pkg, tc.bin)
			if tc.wantInErr != nil {
				if err == nil {
					t.Fatalf("SelectBin(%s, %q) = %q, want an error", pkg.Name, tc.bin, got)
				}
				if tc.wantIs != nil && !errors.Is(err, tc.wantIs) || strings.Contains(err.Error(), "--bin") || strings.Contains(err.Error(), " -p") {
					t.Errorf("error %q: want %v, naming no flag", err, tc.wantIs)
				}
				for _, s := range tc.wantInErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("SelectBin(%s, %q): %v", pkg.Name, tc.bin, err)
			}
			if got != tc.want {
				t.Errorf("SelectBin(%s, %q) = %q, want %q", pkg.Name, tc.bin, got, tc.want)
			}
		})
	}
}
