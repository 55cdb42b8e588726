package cargo

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// treeFormat is the line format asked of cargo tree: the features, then
// the package ("NAME vVERSION", maybe followed by its source and "(*)").
// Feature names cannot hold "|"; a package's source can.
const treeFormat = "{f}|{p}"

// treeArgs are the arguments of the cargo tree that lists what pkg (a
// package ID spec: its name or its ID; "" for the manifest's package)
// links for triple: normal dependencies without proc macros, with the
// features of cargo's feature resolver for that target, one line per
// package reached, prefixed with its depth.
func treeArgs(manifest, pkg, triple string) []string {
	args := []string{"tree", "--manifest-path", manifest, "--target", triple,
		"--edges", "normal,no-proc-macro", "--prefix", "depth", "--format", treeFormat, "--charset", "ascii"}
	if pkg != "" {
		args = append(args, "--package", pkg)
	}
	return args
}

// parseTree reads the output of cargo tree (treeArgs) for root: the
// crates linked, their features and edges, identified by package ID
// through m, in which each is a dependency of the line above it. Cargo
// metadata gives one feature set per package, the union over its uses by
// the binary, build scripts and proc macros; cargo tree resolves features
// for the target apart from the host, as cargo build does (resolver 2),
// so a package a build script uses with more features, and what those
// features pull in, are linked only as cargo tree says.
func parseTree(out []byte, root string, m *depsMetadata) (linkGraph, error) {
	g := linkGraph{deps: map[string][]string{}, features: map[string][]string{}}
	var stack []string // the package ID at each depth of the current line's ancestry
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), MaxMetadataBytes)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		depth, features, name, version, err := parseTreeLine(line)
		if err != nil {
			return linkGraph{}, fmt.Errorf("cargo tree line %d %q: %w", n, line, err)
		}
		var id string
		switch {
		case depth == 0 && len(stack) == 0:
			if p := m.pkgs[root]; p.Name != name || p.Version != version {
				return linkGraph{}, fmt.Errorf("cargo tree starts at %s %s, not at the package built, %s", name, version, root)
			}
			id = root
		case depth == 0 || depth > len(stack):
			return linkGraph{}, fmt.Errorf("cargo tree line %d %q: depth %d after depth %d", n, line, depth, len(stack)-1)
		default:
			parent := stack[depth-1]
			if id, err = m.child(parent, name, version); err != nil {
				return linkGraph{}, fmt.Errorf("cargo tree line %d: %w", n, err)
			}
			g.deps[parent] = append(g.deps[parent], id)
		}
		stack = append(stack[:depth], id)
		if _, seen := g.deps[id]; !seen {
			g.deps[id] = nil
		}
		g.features[id] = sortedSet(append(g.features[id], features...))
	}
	if err := sc.Err(); err != nil {
		return linkGraph{}, fmt.Errorf("read cargo tree: %w", err)
	}
	if len(stack) == 0 {
		return linkGraph{}, fmt.Errorf("cargo tree printed nothing for %s", root)
	}
	for id, deps := range g.deps {
		g.deps[id] = sortedSet(deps)
	}
	return g, nil
}

// parseTreeLine reads "DEPTH" "FEATURES|NAME vVERSION ...".
func parseTreeLine(line string) (depth int, features []string, name, version string, err error) {
	digits := len(line) - len(strings.TrimLeft(line, "0123456789"))
	if depth, err = strconv.Atoi(line[:digits]); err != nil {
		return 0, nil, "", "", fmt.Errorf("no depth")
	}
	feats, pkg, ok := strings.Cut(line[digits:], "|")
	fields := strings.Fields(pkg)
	if !ok || len(fields) < 2 || !strings.HasPrefix(fields[1], "v") {
		return 0, nil, "", "", fmt.Errorf("not FEATURES|NAME vVERSION")
	}
	if feats != "" {
		features = strings.Split(feats, ",")
	}
	return depth, features, fields[0], strings.TrimPrefix(fields[1], "v"), nil
}

// child finds the package ID of parent's normal dependency name, version.
func (m *depsMetadata) child(parent, name, version string) (string, error) {
	var found string
	for _, d := range m.nodes[parent].Deps {
		p := m.pkgs[d.Pkg]
		if p == nil || p.Name != name || p.Version != version || !d.normal() {
			continue
		}
		if found != "" && found != d.Pkg {
			return "", fmt.Errorf("%s depends on two packages %s %s (%s and %s): krust cannot tell which cargo tree means", parent, name, version, found, d.Pkg)
		}
		found = d.Pkg
	}
	if found == "" {
		return "", fmt.Errorf("cargo tree has %s %s under %s, which cargo metadata does not list among its normal dependencies", name, version, parent)
	}
	return found, nil
}

// within checks that every crate of g is in the walk of cargo metadata,
// w, and that its edges are too: cargo tree can only leave out.
func (g linkGraph) within(w linkGraph) error {
	ids := slices.Sorted(maps.Keys(g.deps))
	for _, id := range ids {
		if _, ok := w.deps[id]; !ok {
			return fmt.Errorf("cargo tree links %s, which the resolve graph of cargo metadata does not reach", id)
		}
	}
	for _, id := range ids {
		for _, d := range g.deps[id] {
			if !slices.Contains(w.deps[id], d) {
				return fmt.Errorf("cargo tree links %s from %s, which cargo metadata does not", d, id)
			}
		}
	}
	return nil
}
