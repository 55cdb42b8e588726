package builder

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/oci"
)

// RunAll builds the images plans describe, each into its OCI layout, and
// returns their results in the plans' order. The plans are packages of
// one project, prepared by one Builder. Plans cargo can build together
// (the same platforms, profile, builder and arguments, no binary name
// twice) share one cargo invocation per platform, so that their common
// dependencies compile once; cargo then resolves their features together,
// and each SBOM lists what its binary links in that build. The images
// are written, at most jobs at once (at least one), once cargo is done.
// If any build fails, every result is released and each build removes
// what it wrote that nothing uses, as Run does; the error says which
// package failed. Each result holds its build's lease on its layout:
// call Release once it is published.
func RunAll(ctx context.Context, plans []*Plan, jobs int) ([]Result, error) {
	if len(plans) == 0 {
		return nil, errors.New("no package to build")
	}
	runs, err := startAll(ctx, plans)
	if err != nil {
		return nil, err
	}
	results, err := runStarted(ctx, runs, max(jobs, 1))
	if err != nil {
		for _, r := range results {
			r.Release()
		}
		for _, s := range runs {
			s.abandon(ctx)
		}
		return nil, err
	}
	return results, nil
}

// runStarted runs cargo for each group of runs, then writes every image.
func runStarted(ctx context.Context, runs []*started, jobs int) ([]Result, error) {
	unlock, err := lockBins(ctx, runs)
	if err != nil {
		return nil, err
	}
	defer unlock()
	groups := groupRuns(runs)
	for _, g := range groups {
		if err := buildGroup(ctx, g); err != nil {
			return nil, err
		}
	}
	results := make([]Result, len(runs))
	errs := make([]error, len(runs))
	slots := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for _, g := range groups {
		together := packageNames(g)
		for _, s := range g {
			i := slices.Index(runs, s)
			wg.Go(func() {
				slots <- struct{}{}
				defer func() { <-slots }()
				results[i], errs[i] = s.finish(ctx, together)
				errs[i] = s.p.about(len(runs), errs[i])
			})
		}
	}
	wg.Wait()
	return results, errors.Join(errs...)
}

// startAll starts every plan, all at once; one that fails abandons the
// others, and every problem is reported.
func startAll(ctx context.Context, plans []*Plan) ([]*started, error) {
	runs := make([]*started, len(plans))
	errs := make([]error, len(plans))
	var wg sync.WaitGroup
	for i, p := range plans {
		wg.Go(func() {
			runs[i], errs[i] = p.start(ctx)
			errs[i] = p.about(len(plans), errs[i])
		})
	}
	wg.Wait()
	if err := joinProblems(errs...); err != nil {
		for _, s := range runs {
			if s != nil {
				s.abandon(ctx)
			}
		}
		return nil, err
	}
	return runs, nil
}

// about names p's package in err when several are built.
func (p *Plan) about(n int, err error) error {
	if err == nil || n == 1 {
		return err
	}
	return fmt.Errorf("package %s: %w", p.Package.Name, err)
}

// lockBins takes the locks of every binary of runs, in each target
// directory, in one order (see binLocks.lockAll).
func lockBins(ctx context.Context, runs []*started) (func(), error) {
	byDir := map[string][]string{}
	var dirs []string
	for _, s := range runs {
		dir := s.p.req.Project.TargetDir
		if _, ok := byDir[dir]; !ok {
			dirs = append(dirs, dir)
		}
		byDir[dir] = append(byDir[dir], s.p.Bins...)
	}
	slices.Sort(dirs)
	var unlocks []func()
	release := func() {
		for i := len(unlocks) - 1; i >= 0; i-- {
			unlocks[i]()
		}
	}
	for _, dir := range dirs {
		u, err := runs[0].p.b.bins.lockAll(ctx, dir, byDir[dir])
		if err != nil {
			release()
			return nil, err
		}
		unlocks = append(unlocks, u)
	}
	return release, nil
}

// groupRuns puts runs cargo can build in one invocation together, in the
// runs' order: the same cargo command line but for -p and --bin, and no
// binary name of two packages (cargo would write both to one path); images
// of one package share its binaries' builds.
func groupRuns(runs []*started) [][]*started {
	var groups [][]*started
	var keys []string
	for _, s := range runs {
		key := s.buildKey()
		placed := false
		for i, g := range groups {
			if keys[i] == key && !sharesBin(g, s) {
				groups[i] = append(g, s)
				placed = true
				break
			}
		}
		if !placed {
			groups, keys = append(groups, []*started{s}), append(keys, key)
		}
	}
	return groups
}

// buildKey is what decides cargo's command line but the packages and
// binaries: the project, platforms, profile, builder and arguments.
func (s *started) buildKey() string {
	req := s.p.req
	var ts []string
	for _, t := range s.targets {
		ts = append(ts, t.triple)
	}
	return strings.Join([]string{req.Dir, req.Project.WorkspaceRoot, strings.Join(ts, ","), s.p.profile,
		req.Cargo, req.CargoHome, strings.Join(req.CargoArgs, "\x00")}, "\x01")
}

func sharesBin(g []*started, s *started) bool {
	for _, other := range g {
		if samePackage(other.p.Package, s.p.Package) {
			continue // one package's binary: built once for every image of it
		}
		for _, bin := range s.p.Bins {
			if slices.Contains(other.p.Bins, bin) {
				return true
			}
		}
	}
	return false
}

func samePackage(a, b cargo.Package) bool {
	return a.ID == b.ID && a.Name == b.Name && a.ManifestPath == b.ManifestPath
}

// packageNames are the packages of g's runs, each once (several images of
// one package, of different binaries, share a group).
func packageNames(g []*started) []string {
	var names []string
	for _, s := range g {
		if !slices.Contains(names, s.p.Package.Name) {
			names = append(names, s.p.Package.Name)
		}
	}
	return names
}

// buildGroup runs cargo once per platform for the runs of g, and gives
// each run its executables: per target, in the order of its Bins.
func buildGroup(ctx context.Context, g []*started) error {
	first := g[0]
	p, targets := first.p, first.targets
	var ts, names, bins []string
	for _, t := range targets {
		ts = append(ts, t.triple)
		names = append(names, oci.PlatformString(t.platform))
	}
	for _, s := range g {
		for _, bin := range s.p.Bins {
			if !slices.Contains(bins, bin) {
				bins = append(bins, bin)
			}
		}
	}
	pkgs := packageNames(g)
	logf(p.b.Log, "building %s (%s %s) for %s with %s\n", strings.Join(pkgs, ", "), plural(len(bins), "binary", "binaries"),
		strings.Join(bins, ", "), strings.Join(names, ", "), builderName(p.b.Cargo))
	pf := &prefetch{ctx: ctx, g: g}
	built := func(art cargo.Artifact) {
		for _, s := range g {
			s.writeEarly(ctx, art)
		}
	}
	arts, err := p.runCargo(ctx, pkgs, bins, ts, pf.start, built)
	pf.settle()
	if err != nil {
		return fmt.Errorf("build for %s: %w", strings.Join(names, ", "), err)
	}
	if len(arts) != len(targets)*len(bins) {
		return fmt.Errorf("cargo built %d executables for %d platforms and %d binaries", len(arts), len(targets), len(bins))
	}
	for _, s := range g {
		s.arts = make([][]cargo.Artifact, len(targets))
		for i, t := range targets {
			for _, bin := range s.p.Bins {
				k := slices.IndexFunc(arts, func(a cargo.Artifact) bool { return a.Triple == t.triple && a.Bin == bin })
				if k < 0 {
					return fmt.Errorf("cargo reported no executable of binary %s for %s", bin, t.triple)
				}
				s.arts[i] = append(s.arts[i], arts[k])
			}
		}
	}
	return nil
}

// runCargo runs the cargo build of pkgs' bins for triples, in the
// project's real directory, so that it reads the config files the user's
// own cargo would; only the manifest is named through the stable path.
// compiling is called once cargo compiles (cargo.BuildRequest.Compiling),
// built with each executable as cargo reports it (cargo.BuildRequest.Built).
func (p *Plan) runCargo(ctx context.Context, pkgs, bins, triples []string, compiling func(), built func(cargo.Artifact)) ([]cargo.Artifact, error) {
	proj, req := p.req.Project, p.req
	stable, err := exposeStable(ctx, proj, p.Package.Name)
	if err != nil {
		return nil, err
	}
	defer stable.release()
	manifestDir := req.Dir
	if stable != nil {
		manifestDir = stable.toStable(manifestDir)
		logf(p.b.Log, "building in %s (a fixed path for %s, so path dependencies outside the workspace do not change the binary)\n", stable.stable, stable.real)
	}
	arts, err := p.b.Cargo.Build(ctx, cargo.BuildRequest{
		Dir: req.Dir, ManifestDir: manifestDir, Packages: pkgs, Bins: bins, Profile: req.Profile,
		Triples: triples, Rustflags: remapFlags(proj, stable, req.CargoHome), Args: req.CargoArgs, Compiling: compiling,
		Built: func(art cargo.Artifact) {
			if stable != nil {
				art.Path = stable.toReal(art.Path)
			}
			built(art)
		},
	})
	if err != nil {
		return nil, err
	}
	if stable != nil {
		for i := range arts {
			arts[i].Path = stable.toReal(arts[i].Path)
		}
	}
	return arts, nil
}

// plural picks the noun for n things.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
