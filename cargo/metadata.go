package cargo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Project is what `cargo metadata --no-deps` says about a project.
type Project struct {
	// WorkspaceRoot is the directory of the workspace's root Cargo.toml.
	WorkspaceRoot string `json:"workspace_root"`
	// TargetDir is cargo's target directory for the workspace.
	TargetDir string `json:"target_directory"`
	// Packages are the workspace's members.
	Packages []Package `json:"packages"`
	// Members are the IDs of the workspace's members, in the
	// workspace's order (as its members list names them).
	Members []string `json:"workspace_members"`
}

// MembersWithBinaries are the workspace's members that have a binary
// target, in the workspace's order: what cargo build --workspace builds
// executables of.
func (p *Project) MembersWithBinaries() []Package {
	var out []Package
	for _, id := range p.Members {
		for _, pkg := range p.Packages {
			if pkg.ID == id && len(pkg.Bins()) > 0 {
				out = append(out, pkg)
			}
		}
	}
	return out
}

// Package is one package of a workspace. Its Cargo.toml's fields are as
// cargo gives them, those a member inherits from the workspace resolved;
// an absent (null) one is "".
type Package struct {
	// ID is cargo's package ID.
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Version      string   `json:"version"`
	ManifestPath string   `json:"manifest_path"`
	Description  string   `json:"description"`
	License      string   `json:"license"`
	LicenseFile  string   `json:"license_file"`
	Homepage     string   `json:"homepage"`
	Repository   string   `json:"repository"`
	Targets      []Target `json:"targets"`
	// DefaultRun is the binary `cargo run` picks among several
	// ([package] default-run), or "".
	DefaultRun string `json:"default_run"`
	// Dependencies are the package's direct dependencies.
	Dependencies []Dependency `json:"dependencies"`
}

// Dependency is one of a package's dependencies.
type Dependency struct {
	Name string `json:"name"`
	// Path is set for a path dependency: its directory.
	Path string `json:"path"`
}

// Target is one of a package's build targets.
type Target struct {
	Name string   `json:"name"`
	Kind []string `json:"kind"`
}

// Bins lists the names of the package's binary targets, sorted.
func (p Package) Bins() []string {
	var bins []string
	for _, t := range p.Targets {
		if slices.Contains(t.Kind, "bin") {
			bins = append(bins, t.Name)
		}
	}
	sort.Strings(bins)
	return bins
}

// MaxMetadataBytes bounds the output of `cargo metadata --no-deps` krust
// reads. It grows with the workspace (each member's targets, dependencies
// and [package.metadata] tables): a workspace of 500 members gives a few MB,
// and 32 MiB decodes in about half a second (BenchmarkParseMetadata).
const MaxMetadataBytes = 32 << 20

// errMetadataTooLarge is what the output of cargo metadata beyond
// MaxMetadataBytes yields.
func errMetadataTooLarge() error {
	return fmt.Errorf("cargo metadata printed more than the %d bytes (%d MiB) krust reads: "+
		"the workspace's Cargo.toml files carry too much; move large [package.metadata] tables into files of their own, or build from a smaller workspace",
		MaxMetadataBytes, MaxMetadataBytes>>20)
}

// limitedBuffer collects up to MaxMetadataBytes and fails the write that
// would go beyond, which stops cargo metadata. It has no ReadFrom, so that
// io.Copy cannot go around Write.
type limitedBuffer struct {
	buf  bytes.Buffer
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.buf.Len()+len(p) > MaxMetadataBytes {
		b.over = true
		return 0, errMetadataTooLarge()
	}
	return b.buf.Write(p)
}

// ParseMetadata decodes the output of `cargo metadata --format-version 1`,
// refusing more than MaxMetadataBytes.
func ParseMetadata(data []byte) (*Project, error) {
	if len(data) > MaxMetadataBytes {
		return nil, errMetadataTooLarge()
	}
	var p Project
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("read cargo metadata: %w", err)
	}
	return &p, nil
}

// SelectPackage picks the package to build: the one named by pkg (-p), or
// else the one whose Cargo.toml is in dir. A virtual workspace root without
// -p is an error that lists the members.
func (p *Project) SelectPackage(dir, pkg string) (Package, error) {
	if pkg != "" {
		for _, candidate := range p.Packages {
			if candidate.Name == pkg {
				return candidate, nil
			}
		}
		return Package{}, fmt.Errorf("no package %q in the workspace at %s; members: %s", pkg, p.WorkspaceRoot, p.memberList())
	}
	manifest := filepath.Join(dir, "Cargo.toml")
	for _, candidate := range p.Packages {
		if filepath.Clean(candidate.ManifestPath) == manifest {
			return candidate, nil
		}
	}
	return Package{}, fmt.Errorf("%s is %w: choose a member (members: %s)", manifest, ErrVirtualWorkspace, p.memberList())
}

func (p *Project) memberList() string {
	var names []string
	for _, pkg := range p.Packages {
		names = append(names, pkg.Name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// SelectBin picks the binary to build from pkg, as `cargo run` does: bin
// if given (it must exist), else the package's only binary, else the one
// its default-run names.
func SelectBin(pkg Package, bin string) (string, error) {
	bins := pkg.Bins()
	switch {
	case bin != "" && slices.Contains(bins, bin):
		return bin, nil
	case bin != "":
		return "", fmt.Errorf("package %s has no binary %q; its binaries: %s", pkg.Name, bin, listOrNone(bins))
	case len(bins) == 1:
		return bins[0], nil
	case len(bins) == 0:
		return "", fmt.Errorf("package %s has %w (it is a library): add src/main.rs or a [[bin]] section, or pick another package", pkg.Name, ErrNoBinary)
	case pkg.DefaultRun != "" && slices.Contains(bins, pkg.DefaultRun):
		return pkg.DefaultRun, nil
	case pkg.DefaultRun != "":
		return "", &DefaultRunError{Package: pkg.Name, Manifest: pkg.ManifestPath, DefaultRun: pkg.DefaultRun, Bins: bins}
	}
	return "", fmt.Errorf("package %s has %w (%s): choose one, or set default-run in its [package]", pkg.Name, ErrWhichBinary, strings.Join(bins, ", "))
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
