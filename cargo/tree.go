package cargo

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// treeFormat is the line format asked of cargo tree: the features, then
// the package ("NAME vVERSION", maybe followed by " (proc-macro)", its
// source and "(*)"). Feature names cannot hold "|"; a package's source can.
const treeFormat = "{f}|{p}"

// treeArgs are the arguments of the cargo tree that lists what pkgs
// (package ID specs: names or IDs; none for the manifest's package) link
// for triple: normal dependencies without proc macros, with the features
// of cargo's feature resolver for that target and those packages built
// together, one line per package reached, prefixed with its depth; one
// tree per package.
func treeArgs(manifest string, pkgs []string, triple string) []string {
	args := []string{"tree", "--manifest-path", manifest, "--target", triple,
		"--edges", "normal,no-proc-macro", "--prefix", "depth", "--format", treeFormat, "--charset", "ascii"}
	for _, pkg := range pkgs {
		args = append(args, "--package", pkg)
	}
	return args
}

// rootTree returns, of the output of a cargo tree of several packages
// (one tree after the other, each starting at depth 0), what the package
// name at version links. Cargo prints what an earlier tree showed as
// "(*)" without its dependencies, so the trees are read together and the
// package's part is what it reaches.
func rootTree(out []byte, name, version string) (linkGraph, error) {
	all, err := parseTrees(out)
	if err != nil {
		return linkGraph{}, err
	}
	i := slices.IndexFunc(all.order, func(p treePackage) bool { return p.name == name && p.version == version })
	if i < 0 {
		return linkGraph{}, fmt.Errorf("cargo tree printed no tree of %s %s", name, version)
	}
	return all.from(all.order[i]), nil
}

// from is the part of g that root reaches, root first.
func (g linkGraph) from(root treePackage) linkGraph {
	reached := map[treePackage]bool{root: true}
	queue := []treePackage{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, d := range g.deps[p] {
			if !reached[d] {
				reached[d] = true
				queue = append(queue, d)
			}
		}
	}
	out := linkGraph{order: []treePackage{root}, deps: map[treePackage][]treePackage{}, features: map[treePackage][]string{}}
	for _, p := range g.order {
		if reached[p] {
			if p != root {
				out.order = append(out.order, p)
			}
			out.deps[p], out.features[p] = g.deps[p], g.features[p]
		}
	}
	return out
}

// treePackage is a package as cargo tree names it.
type treePackage struct {
	name, version string
	// source is what follows the version in parentheses: "" for
	// crates.io, a directory for a path package, "URL?REF#COMMIT" (the
	// commit cut to 8 digits) for git, "registry `NAME`" for another
	// registry.
	source string
}

func (p treePackage) String() string {
	if p.source == "" {
		return p.name + " " + p.version
	}
	return p.name + " " + p.version + " (" + p.source + ")"
}

// linkGraph is what cargo tree says a binary links: each package's
// linked direct dependencies and features, and the order in which it
// first named them (the root first).
type linkGraph struct {
	order    []treePackage
	deps     map[treePackage][]treePackage
	features map[treePackage][]string
}

// parseTree reads the output of cargo tree (treeArgs): the packages
// linked, their features and edges, each package a dependency of the line
// above it with a depth one less. Cargo tree resolves features for the
// target apart from the host, as cargo build does (resolver 2), so a
// package a build script uses with more features, and what those features
// pull in, are linked only as cargo tree says.
func parseTree(out []byte) (linkGraph, error) { return parseTreesOf(out, false) }

// parseTrees is parseTree for the trees of several packages, one after
// the other, read into one graph.
func parseTrees(out []byte) (linkGraph, error) { return parseTreesOf(out, true) }

func parseTreesOf(out []byte, several bool) (linkGraph, error) {
	g := linkGraph{deps: map[treePackage][]treePackage{}, features: map[treePackage][]string{}}
	var stack []treePackage // the package at each depth of the current line's ancestry
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), MaxMetadataBytes)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		depth, features, pkg, err := parseTreeLine(line)
		if err != nil {
			return linkGraph{}, fmt.Errorf("cargo tree line %d %q: %w", n, line, err)
		}
		switch {
		case depth == 0 && (len(stack) == 0 || several):
		case depth == 0 || depth > len(stack):
			return linkGraph{}, fmt.Errorf("cargo tree line %d %q: depth %d after depth %d", n, line, depth, len(stack)-1)
		default:
			parent := stack[depth-1]
			g.deps[parent] = append(g.deps[parent], pkg)
		}
		stack = append(stack[:depth], pkg)
		if _, seen := g.deps[pkg]; !seen {
			g.deps[pkg] = nil
			g.order = append(g.order, pkg)
		}
		g.features[pkg] = append(g.features[pkg], features...)
	}
	if err := sc.Err(); err != nil {
		return linkGraph{}, fmt.Errorf("read cargo tree: %w", err)
	}
	if len(g.order) == 0 {
		return linkGraph{}, fmt.Errorf("cargo tree printed nothing")
	}
	return g, nil
}

// parseTreeLine reads "DEPTH" "FEATURES|NAME vVERSION[ (proc-macro)][
// (SOURCE)][ (*)]". A proc macro is refused: it runs in the compiler and
// is not linked, and edges without proc macros were asked for.
func parseTreeLine(line string) (depth int, features []string, pkg treePackage, err error) {
	digits := len(line) - len(strings.TrimLeft(line, "0123456789"))
	if depth, err = strconv.Atoi(line[:digits]); err != nil {
		return 0, nil, treePackage{}, fmt.Errorf("no depth")
	}
	feats, rest, ok := strings.Cut(line[digits:], "|")
	name, rest, okName := strings.Cut(rest, " ")
	version, rest, _ := strings.Cut(rest, " ")
	version, okVersion := strings.CutPrefix(version, "v")
	if !ok || !okName || name == "" || !okVersion || version == "" {
		return 0, nil, treePackage{}, fmt.Errorf("not FEATURES|NAME vVERSION")
	}
	if rest == "(*)" {
		rest = ""
	}
	rest = strings.TrimSuffix(rest, " (*)")
	if rest == "(proc-macro)" || strings.HasPrefix(rest, "(proc-macro) ") {
		return 0, nil, treePackage{}, fmt.Errorf("%s %s is a proc macro, which is not linked", name, version)
	}
	source, okOpen := strings.CutPrefix(rest, "(")
	source, okClose := strings.CutSuffix(source, ")")
	if rest != "" && (!okOpen || !okClose || source == "") {
		return 0, nil, treePackage{}, fmt.Errorf("%q after the version is not (SOURCE)", rest)
	}
	if feats != "" {
		features = strings.Split(feats, ",")
	}
	return depth, features, treePackage{name: name, version: version, source: source}, nil
}
