package cargo

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// depsMetadata is the part of `cargo metadata --format-version 1` (with
// dependencies) that a Graph is read from.
type depsMetadata struct {
	WorkspaceRoot    string        `json:"workspace_root"`
	WorkspaceMembers []string      `json:"workspace_members"`
	Packages         []depsPackage `json:"packages"`
	Resolve          *struct {
		Root  *string       `json:"root"`
		Nodes []resolveNode `json:"nodes"`
	} `json:"resolve"`

	pkgs  map[string]*depsPackage
	nodes map[string]*resolveNode
}

// depsPackage is one package of cargo metadata; null fields are "".
type depsPackage struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Version      string   `json:"version"`
	License      string   `json:"license"`
	LicenseFile  string   `json:"license_file"`
	Description  string   `json:"description"`
	Homepage     string   `json:"homepage"`
	Repository   string   `json:"repository"`
	Source       string   `json:"source"`
	ManifestPath string   `json:"manifest_path"`
	Targets      []Target `json:"targets"`
}

// resolveNode is a package of the resolve graph, with the features cargo
// resolved for it and its dependencies.
type resolveNode struct {
	ID       string    `json:"id"`
	Deps     []nodeDep `json:"deps"`
	Features []string  `json:"features"`
}

// nodeDep is one dependency of a resolveNode. Each of its dep_kinds is a
// way the package depends on it: kind null for a normal dependency, "dev"
// or "build"; target the cfg it is limited to, or null.
type nodeDep struct {
	Pkg      string `json:"pkg"`
	DepKinds []struct {
		Kind   *string `json:"kind"`
		Target *string `json:"target"`
	} `json:"dep_kinds"`
}

// normal reports whether d is a normal dependency (in one of its ways).
func (d nodeDep) normal() bool {
	for _, k := range d.DepKinds {
		if k.Kind == nil {
			return true
		}
	}
	return false
}

// parseDepsMetadata decodes cargo metadata with its resolve graph,
// refusing more than MaxMetadataBytes.
func parseDepsMetadata(data []byte) (*depsMetadata, error) {
	if len(data) > MaxMetadataBytes {
		return nil, errMetadataTooLarge()
	}
	var m depsMetadata
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read cargo metadata: %w", err)
	}
	if m.Resolve == nil {
		return nil, fmt.Errorf("cargo metadata has no resolve graph (was it run with --no-deps?)")
	}
	m.pkgs = make(map[string]*depsPackage, len(m.Packages))
	for i := range m.Packages {
		m.pkgs[m.Packages[i].ID] = &m.Packages[i]
	}
	m.nodes = make(map[string]*resolveNode, len(m.Resolve.Nodes))
	for i := range m.Resolve.Nodes {
		n := &m.Resolve.Nodes[i]
		if m.pkgs[n.ID] == nil {
			return nil, fmt.Errorf("cargo metadata: resolve node %s is not among its packages", n.ID)
		}
		m.nodes[n.ID] = n
	}
	return &m, nil
}

// root finds the ID of the package built: the workspace member named pkg,
// or without one the package of the manifest cargo read. bin, if given,
// must be one of its binaries.
func (m *depsMetadata) root(pkg, bin string) (string, error) {
	var id string
	switch {
	case pkg != "":
		for _, member := range m.WorkspaceMembers {
			if p := m.pkgs[member]; p != nil && p.Name == pkg {
				id = member
			}
		}
		if id == "" {
			return "", fmt.Errorf("no package %q among the members of the workspace at %s", pkg, m.WorkspaceRoot)
		}
	case m.Resolve.Root != nil:
		id = *m.Resolve.Root
	default:
		return "", fmt.Errorf("the workspace at %s is virtual: name the package built", m.WorkspaceRoot)
	}
	p := m.pkgs[id]
	if p == nil || m.nodes[id] == nil {
		return "", fmt.Errorf("cargo metadata: the package built, %s, is not in its resolve graph", id)
	}
	if bin != "" && !slices.Contains(Package{Targets: p.Targets}.Bins(), bin) {
		return "", fmt.Errorf("package %s has no binary %q", p.Name, bin)
	}
	return id, nil
}

// linkGraph is a set of crates linked into a binary: each one's linked
// direct dependencies and features, by package ID.
type linkGraph struct {
	deps     map[string][]string
	features map[string][]string
}

// walk follows the resolve graph from root along normal dependencies,
// leaving out proc macros: the crates cargo metadata says the binary
// links, with the features it resolved. Cargo metadata unifies the
// features of a package over all its uses, so this is a superset of what
// is linked when a build script or proc macro uses a package with more
// features (see parseTree, which has cargo's own answer).
func (m *depsMetadata) walk(root string) linkGraph {
	g := linkGraph{deps: map[string][]string{}, features: map[string][]string{}}
	queue := []string{root}
	g.deps[root] = nil
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		node := m.nodes[id]
		g.features[id] = sortedSet(node.Features)
		var deps []string
		for _, d := range node.Deps {
			if !d.normal() || m.procMacro(d.Pkg) || m.nodes[d.Pkg] == nil {
				continue
			}
			deps = append(deps, d.Pkg)
			if _, seen := g.deps[d.Pkg]; !seen {
				g.deps[d.Pkg] = nil
				queue = append(queue, d.Pkg)
			}
		}
		g.deps[id] = sortedSet(deps)
	}
	return g
}

// procMacro reports whether package id is a proc macro, which runs in the
// compiler and is not linked.
func (m *depsMetadata) procMacro(id string) bool {
	p := m.pkgs[id]
	if p == nil {
		return false
	}
	for _, t := range p.Targets {
		if slices.Contains(t.Kind, "proc-macro") {
			return true
		}
	}
	return false
}

// crates lists the crates of g with their packages' data and checksums,
// sorted by name, version and ID.
func (m *depsMetadata) crates(g linkGraph, locked lockedPackages, lockPath string) ([]Crate, error) {
	crates := make([]Crate, 0, len(g.deps))
	for id, deps := range g.deps {
		p := m.pkgs[id]
		src, err := parseSource(p.Source, p.ManifestPath, m.WorkspaceRoot)
		if err != nil {
			return nil, err
		}
		sum, ok := locked[lockKey{p.Name, p.Version, p.Source}]
		if !ok && src.Kind != SourcePath {
			return nil, fmt.Errorf("%s has no entry for %s %s (%s), which cargo metadata resolved: run cargo build to bring it up to date", lockPath, p.Name, p.Version, p.Source)
		}
		crates = append(crates, Crate{
			ID: id, Name: p.Name, Version: p.Version,
			License: p.License, LicenseFile: p.LicenseFile,
			Description: p.Description, Homepage: p.Homepage, Repository: p.Repository,
			Source: src, Checksum: sum,
			Features: g.features[id], Dependencies: deps,
		})
	}
	sort.Slice(crates, func(i, j int) bool {
		a, b := crates[i], crates[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.ID < b.ID
	})
	return crates, nil
}

// sortedSet returns s sorted without duplicates, nil when empty.
func sortedSet(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
