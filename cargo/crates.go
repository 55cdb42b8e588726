package cargo

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// nameVersion is a package's name and version.
type nameVersion struct{ name, version string }

// builtPackage is a package of the build, its ID read.
type builtPackage struct {
	BuiltPackage
	id packageID
}

// joiner joins what cargo tree says is linked with what the build
// compiled (package IDs, where each Cargo.toml is), the workspace's
// members (cargo metadata --no-deps) and Cargo.lock: none of these needs
// a source the build did not.
type joiner struct {
	proj     *Project
	members  map[string]*Package // by manifest path
	built    map[nameVersion][]builtPackage
	lockPath string
	locked   lockedPackages
	sources  map[nameVersion][]string // Cargo.lock's sources of each name and version
	// read reads the fields from the Cargo.toml at manifest
	// (readManifestFields); when they cannot be read from the file alone,
	// resolve asks cargo for the workspace the package is in, whose
	// members (often the other crates of the same git repository) are
	// kept in resolved.
	read     func(manifest string) (manifestFields, bool, error)
	resolve  func(manifest string) (*Project, error)
	resolved map[string]*Package // by manifest path
}

func newJoiner(proj *Project, built []BuiltPackage, lockPath string, locked lockedPackages) *joiner {
	j := &joiner{proj: proj, members: map[string]*Package{}, built: map[nameVersion][]builtPackage{},
		lockPath: lockPath, locked: locked, sources: map[nameVersion][]string{},
		read: readManifestFields, resolved: map[string]*Package{}}
	for i := range proj.Packages {
		j.members[filepath.Clean(proj.Packages[i].ManifestPath)] = &proj.Packages[i]
	}
	for _, b := range built {
		if id, ok := parsePackageID(b.ID); ok {
			nv := nameVersion{id.name, id.version}
			j.built[nv] = append(j.built[nv], builtPackage{b, id})
		}
	}
	for key := range locked {
		nv := nameVersion{key.name, key.version}
		j.sources[nv] = append(j.sources[nv], key.source)
	}
	for _, s := range j.sources {
		sort.Strings(s)
	}
	return j
}

// graph is the Graph of what g links, whose first package must be root.
func (j *joiner) graph(g linkGraph, root Package) (*Graph, error) {
	if top := g.order[0]; top.name != root.Name || top.version != root.Version {
		return nil, fmt.Errorf("cargo tree starts at %s %s, not at the package built, %s %s", top.name, top.version, root.Name, root.Version)
	}
	crates := make([]Crate, len(g.order))
	ids := make(map[treePackage]string, len(g.order))
	seen := make(map[string]treePackage, len(g.order))
	for i, p := range g.order {
		c, err := j.crate(p)
		if err != nil {
			return nil, err
		}
		if other, dup := seen[c.ID]; dup {
			return nil, fmt.Errorf("cargo tree names %s and %s, which krust takes for one package of the build, %s", other, p, c.ID)
		}
		seen[c.ID], ids[p], crates[i] = p, c.ID, c
	}
	for i, p := range g.order {
		deps := make([]string, 0, len(g.deps[p]))
		for _, d := range g.deps[p] {
			deps = append(deps, ids[d])
		}
		crates[i].Dependencies = sortedSet(deps)
		crates[i].Features = sortedSet(g.features[p])
	}
	rootID := crates[0].ID
	sort.Slice(crates, func(i, k int) bool {
		a, b := crates[i], crates[k]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.ID < b.ID
	})
	return &Graph{Root: rootID, Crates: crates}, nil
}

// crate is the Crate of p, without features and dependencies.
func (j *joiner) crate(p treePackage) (Crate, error) {
	source, err := j.lockSource(p)
	if err != nil {
		return Crate{}, err
	}
	b, err := j.builtPackage(p, source)
	if err != nil {
		return Crate{}, err
	}
	manifest := b.ManifestPath
	if source == "" {
		// The build may have named it through another path (krust's stable
		// link, gone by now); cargo tree names the directory it is in.
		manifest = filepath.Join(p.source, ManifestName)
	}
	f, err := j.fields(manifest)
	if err != nil {
		return Crate{}, fmt.Errorf("%s: %w", p, err)
	}
	src, err := parseSource(source, manifest, j.proj.WorkspaceRoot)
	if err != nil {
		return Crate{}, err
	}
	return Crate{
		ID: b.ID, Name: p.name, Version: p.version,
		License: f.license, LicenseFile: f.licenseFile,
		Description: f.description, Homepage: f.homepage, Repository: f.repository,
		Source: src, Checksum: j.locked[lockKey{p.name, p.version, source}],
	}, nil
}

// fields are the SBOM's fields of the package whose Cargo.toml is at
// manifest: a member's as cargo metadata gave them, another's from the
// file, or from cargo when the file leaves them to its workspace.
func (j *joiner) fields(manifest string) (manifestFields, error) {
	manifest = filepath.Clean(manifest)
	if m := j.members[manifest]; m != nil {
		return packageFields(*m), nil
	}
	if m := j.resolved[manifest]; m != nil {
		return packageFields(*m), nil
	}
	f, resolved, err := j.read(manifest)
	if err != nil || resolved {
		return f, err
	}
	proj, err := j.resolve(manifest)
	if err != nil {
		return manifestFields{}, fmt.Errorf("its Cargo.toml inherits from its workspace, so krust asked cargo: %w", err)
	}
	for i := range proj.Packages {
		j.resolved[filepath.Clean(proj.Packages[i].ManifestPath)] = &proj.Packages[i]
	}
	if m := j.resolved[manifest]; m != nil {
		return packageFields(*m), nil
	}
	return manifestFields{}, fmt.Errorf("cargo metadata for %s does not list its package", manifest)
}

// lockSource is p's source as Cargo.lock records it ("" for a path
// package): the only entry of its name and version, or the one of the
// kind of source cargo tree printed.
func (j *joiner) lockSource(p treePackage) (string, error) {
	all := j.sources[nameVersion{p.name, p.version}]
	if len(all) == 1 {
		return all[0], nil
	}
	var kind, exact []string
	for _, s := range all {
		if sameKind(p.source, s) {
			kind = append(kind, s)
			if strings.HasPrefix(s, "git+"+p.source) {
				exact = append(exact, s)
			}
		}
	}
	switch {
	case len(kind) == 1:
		return kind[0], nil
	case len(exact) == 1:
		return exact[0], nil
	case len(all) == 0:
		return "", fmt.Errorf("%s has no entry for %s, which cargo tree links: run cargo build to bring it up to date", j.lockPath, p)
	}
	return "", fmt.Errorf("%s has %d entries that may be %s (%s): krust cannot tell which cargo tree means", j.lockPath, len(all), p, strings.Join(all, ", "))
}

// sameKind reports whether the source cargo tree printed, printed, is of
// the kind of lockSource, a source string of Cargo.lock.
func sameKind(printed, lockSource string) bool {
	kind, rest, _ := strings.Cut(lockSource, "+")
	registry := kind == "registry" || kind == "sparse"
	switch {
	case printed == "":
		return registry && registryURL(rest) == CratesIO
	case strings.HasPrefix(printed, "registry `"):
		return registry && registryURL(rest) != CratesIO
	case lockSource == "":
		return filepath.IsAbs(printed)
	}
	return kind == "git" && !filepath.IsAbs(printed)
}

// builtPackage is the package of the build that p (from source, as
// Cargo.lock has it) is: the one of that name, version and source, or the
// only one of that name, version and kind of source.
func (j *joiner) builtPackage(p treePackage, source string) (builtPackage, error) {
	kind, _, _ := strings.Cut(source, "+")
	if source == "" {
		kind = "path"
	}
	var ofKind, exact []builtPackage
	for _, b := range j.built[nameVersion{p.name, p.version}] {
		if b.id.kind() != kind {
			continue
		}
		ofKind = append(ofKind, b)
		if source != "" && b.id.source == sourceKey(source) || source == "" && b.id.dir() == p.source {
			exact = append(exact, b)
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], nil
	case len(ofKind) == 1:
		return ofKind[0], nil
	case len(ofKind) == 0:
		return builtPackage{}, fmt.Errorf("cargo tree links %s, which the build did not compile: "+
			"read the crate graph after the build, with the same cargo arguments", p)
	}
	return builtPackage{}, fmt.Errorf("the build compiled %d packages that may be %s: krust cannot tell which cargo tree means", len(ofKind), p)
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
