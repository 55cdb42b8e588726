package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/publish"
	"github.com/spf13/cobra"
)

// defaultJobs is -j's default: the cores, at most 4 (each image's layer
// compresses on every core already).
func defaultJobs() int { return min(runtime.GOMAXPROCS(0), 4) }

// severalPackages reports whether the flags ask for several packages (or
// for the package options only several packages take).
func (f *buildFlags) severalPackages() bool {
	return len(f.pkgs) > 1 || f.workspace || len(f.exclude) > 0
}

// onePackage is the package -p names, or "" for the directory's.
func (f *buildFlags) onePackage() string {
	if len(f.pkgs) == 0 {
		return ""
	}
	return f.pkgs[0]
}

// checkSeveral refuses what a build of several packages cannot do: the
// options naming one destination, and package options that contradict.
func (f *buildFlags) checkSeveral(cmd *cobra.Command) error {
	var errs []error
	for _, flag := range []string{"image", "oci-layout", "tarball"} {
		if cmd.Flags().Changed(flag) {
			errs = append(errs, fmt.Errorf("--%s names one image, and several packages are built (one image each): build them one by one with -p to use it", flag))
		}
	}
	for _, flag := range []string{"bin", "entrypoint"} {
		if cmd.Flags().Changed(flag) {
			errs = append(errs, fmt.Errorf("--%s names binaries of one package, and several packages are built: set bins and entrypoint in each package's [package.metadata.krust], or build it alone with -p", flag))
		}
	}
	if f.workspace && len(f.pkgs) > 0 {
		errs = append(errs, errors.New("-p with --workspace: name the packages with -p, or build them all with --workspace (and --exclude)"))
	}
	if len(f.exclude) > 0 && !f.workspace {
		errs = append(errs, errors.New("--exclude without --workspace: add --workspace, or name the packages to build with -p"))
	}
	if f.jobs < 1 {
		errs = append(errs, fmt.Errorf("-j %d: want at least 1", f.jobs))
	}
	return errors.Join(errs...)
}

// packageNames are the packages to build: those -p names, each once, or
// with --workspace every member with a binary, in the workspace's order,
// but those --exclude names.
func (f *buildFlags) packageNames(proj *cargo.Project) ([]string, error) {
	if !f.workspace {
		var names []string
		for _, n := range f.pkgs {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		return names, nil
	}
	var names, all []string
	for _, pkg := range proj.MembersWithBinaries() {
		all = append(all, pkg.Name)
		if !slices.Contains(f.exclude, pkg.Name) {
			names = append(names, pkg.Name)
		}
	}
	for _, x := range f.exclude {
		if !slices.Contains(all, x) {
			return nil, fmt.Errorf("--exclude %s: no member of the workspace with a binary is named so; members with binaries: %s", x, strings.Join(all, ", "))
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("--workspace: no member of the workspace at %s has a binary to build", proj.WorkspaceRoot)
	}
	return names, nil
}

// runAll builds several packages of one project, one image each (see
// publish.BuildAll): stdout gets one line per image, in the order the
// packages were named.
func (f *buildFlags) runAll(ctx context.Context, env *environment, cmd *cobra.Command, args []string) error {
	if err := f.checkSeveral(cmd); err != nil {
		return err
	}
	dir, _, err := projectDir(cmd, args)
	if err != nil {
		return err
	}
	manifest, err := cargo.FindManifest(dir)
	if err != nil {
		return err
	}
	c := &cargo.Cargo{Env: env.cargoEnviron(), Stderr: env.stderr, Verbose: f.registry.verbose, Memo: &cargo.Memo{}}
	proj, err := c.Metadata(ctx, dirOf(manifest))
	if err != nil {
		return err
	}
	names, err := f.packageNames(proj)
	if err != nil {
		return err
	}
	all, err := f.settleAll(ctx, env, cmd, args, names, proj)
	if err != nil {
		return err
	}
	_, err = f.publishSettled(ctx, env, all, c.Memo, env.stdout)
	return err
}

// publishSettled builds the settled packages together and publishes
// each image where its settings say (see publish.BuildAll), returning
// the images' references in the order of all; stdout, when not nil,
// gets them one a line once all are published. memo is what was asked
// of cargo while reading the projects.
func (f *buildFlags) publishSettled(ctx context.Context, env *environment, all []settled, memo *cargo.Memo, stdout io.Writer) ([]string, error) {
	// The images ask cargo the same questions (the crates linked by the
	// packages built together, the toolchain): once each, and what was
	// asked while reading the workspace is not asked again.
	all[0].cargo.Memo = memo
	if err := oneBuilder(all); err != nil {
		return nil, err
	}
	b, err := f.builderFor(ctx, env, all[0])
	if err != nil {
		return nil, err
	}
	reqs := make([]builder.Request, len(all))
	for i, s := range all {
		reqs[i] = s.req
	}
	documents := map[string]string{} // entrypoint: package, for --sbom-dir's file names
	return publish.BuildAll(ctx, b, reqs, func(i int, plan *builder.Plan) (publish.Destinations, error) {
		if other, ok := documents[plan.Entrypoint]; ok && f.sbomDir != "" {
			return publish.Destinations{}, fmt.Errorf("--sbom-dir: %s and %s both run a binary named %s, and their documents would be written to one file: build them one by one", other, plan.Package.Name, plan.Entrypoint)
		}
		documents[plan.Entrypoint] = plan.Package.Name
		s := all[i]
		d, err := f.destinations(env, plan, s.r, s.out, s.client)
		d.Stdout = stdout
		return d, err
	}, f.jobs)
}

// oneBuilder refuses packages that name different builders (the cargo
// setting): the images built together share one, and the first
// package's would otherwise build the others' too.
func oneBuilder(all []settled) error {
	for _, s := range all[1:] {
		if s.r.Cargo != all[0].r.Cargo {
			return fmt.Errorf("packages %s and %s name different builders (%s and %s, the cargo setting), and the packages of one command are built by one: build them in separate commands, or give them one builder",
				all[0].req.Package.Name, s.req.Package.Name, builderOf(all[0].r.Cargo), builderOf(s.r.Cargo))
		}
	}
	return nil
}

// builderOf names a cargo setting for messages.
func builderOf(setting string) string {
	if setting == "" {
		return "cargo"
	}
	return strconv.Quote(setting)
}

// settleAll settles the build of each package named, reporting every
// problem of every package at once.
func (f *buildFlags) settleAll(ctx context.Context, env *environment, cmd *cobra.Command, args []string, names []string, proj *cargo.Project) ([]settled, error) {
	var all []settled
	var errs []error
	for _, name := range names {
		s, err := f.settle(ctx, env, cmd, args, name, proj)
		if err == nil {
			err = f.ready(env, &s)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("package %s: %w", name, err))
			continue
		}
		all = append(all, s)
	}
	return all, errors.Join(errs...)
}

// dirOf is the directory of a Cargo.toml.
func dirOf(manifest string) string { return filepath.Dir(manifest) }
