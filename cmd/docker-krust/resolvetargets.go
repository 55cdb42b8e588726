package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/resolve"
)

// refTarget is what a krust:// reference names: a package of a Cargo
// project and, optionally, one of its binaries.
type refTarget struct {
	proj *cargo.Project
	pkg  string
	// bin is the one binary the reference names, or "" for the package's
	// own choice (bins in its metadata, default-run, its only binary).
	bin string
}

// key identifies the image a target is built into: references naming
// one package and binary in different ways share it.
func (t refTarget) key() string {
	return t.proj.WorkspaceRoot + "\x00" + t.pkg + "\x00" + t.bin
}

// refFinder maps krust:// references to targets, asking cargo about each
// project once.
type refFinder struct {
	c    *cargo.Cargo
	cwd  string
	seen map[string]*cargo.Project // by the directory of its Cargo.toml
}

// targets maps each reference (the text after krust://) to its target
// and lists the distinct targets in the order first named. Every
// reference that names nothing is reported, at once, where it is first
// written (FILE:LINE:COLUMN: krust://REF).
func (r *refFinder) targets(ctx context.Context, found *resolve.Found) (map[string]refTarget, []refTarget, error) {
	byRef := map[string]refTarget{}
	var distinct []refTarget
	var errs []error
	for _, ref := range found.Refs {
		t, err := r.target(ctx, ref)
		if err != nil {
			i := slices.IndexFunc(found.References, func(f resolve.Reference) bool { return f.Ref == ref })
			errs = append(errs, fmt.Errorf("%s: %w", found.References[i], err))
			continue
		}
		byRef[ref] = t
		if !slices.ContainsFunc(distinct, func(d refTarget) bool { return d.key() == t.key() }) {
			distinct = append(distinct, t)
		}
	}
	return byRef, distinct, errors.Join(errs...)
}

// target is what one reference names: a path to a Cargo project when it
// starts with ./, ../ or /, else a package of the workspace found from
// the current directory; either may end in /BIN.
func (r *refFinder) target(ctx context.Context, ref string) (refTarget, error) {
	if isPathRef(ref) {
		return r.pathTarget(ctx, ref)
	}
	name, bin, _ := strings.Cut(ref, "/")
	proj, err := r.project(ctx, r.cwd)
	if err != nil {
		return refTarget{}, err
	}
	for _, pkg := range proj.MembersWithBinaries() {
		if pkg.Name == name {
			return checkBin(refTarget{proj: proj, pkg: name, bin: bin}, pkg)
		}
	}
	var names []string
	for _, pkg := range proj.MembersWithBinaries() {
		names = append(names, pkg.Name)
	}
	return refTarget{}, fmt.Errorf("no package of the workspace at %s is named %q; packages with a binary: %s (or give a path to a Cargo project, as krust://./DIR)",
		proj.WorkspaceRoot, name, cmp.Or(strings.Join(names, ", "), "none"))
}

// pathTarget is the package of the Cargo project at the reference's
// path, or, when that path is no project, the binary its last element
// names of the project above it.
func (r *refFinder) pathTarget(ctx context.Context, ref string) (refTarget, error) {
	path := filepath.Clean(ref)
	if !filepath.IsAbs(path) {
		path = filepath.Join(r.cwd, path)
	}
	dir, bin := path, ""
	if !cargo.HasManifest(dir) {
		dir, bin = filepath.Dir(path), filepath.Base(path)
		if !cargo.HasManifest(dir) {
			return refTarget{}, fmt.Errorf("no Cargo project at %s: the path, relative to the current directory, names a directory with a Cargo.toml, optionally followed by /BIN", path)
		}
	}
	proj, err := r.project(ctx, dir)
	if err != nil {
		return refTarget{}, err
	}
	pkg, err := proj.SelectPackage(dir, "")
	if err != nil {
		return refTarget{}, err
	}
	return checkBin(refTarget{proj: proj, pkg: pkg.Name, bin: bin}, pkg)
}

// checkBin checks that t's binary, if it names one, is pkg's. The only
// binary of a package is the package's own image: named or not, one
// image.
func checkBin(t refTarget, pkg cargo.Package) (refTarget, error) {
	if t.bin != "" {
		if _, err := cargo.SelectBin(pkg, t.bin); err != nil {
			return refTarget{}, err
		}
	}
	if len(pkg.Bins()) == 1 {
		t.bin = ""
	}
	return t, nil
}

// project is what cargo says of the project whose Cargo.toml is the
// nearest one at or above dir, asked once per project.
func (r *refFinder) project(ctx context.Context, dir string) (*cargo.Project, error) {
	manifest, err := cargo.FindManifest(dir)
	if err != nil {
		return nil, err
	}
	at := filepath.Dir(manifest)
	if proj, ok := r.seen[at]; ok {
		return proj, nil
	}
	proj, err := r.c.Metadata(ctx, at)
	if err != nil {
		return nil, err
	}
	r.seen[at] = proj
	return proj, nil
}

func isPathRef(ref string) bool {
	return ref == "." || ref == ".." || strings.HasPrefix(ref, "./") || strings.HasPrefix(ref, "../") || strings.HasPrefix(ref, "/")
}
