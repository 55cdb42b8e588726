package build

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/imageref"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// plan is what a build settled on before cargo runs.
type plan struct {
	proj      *cargo.Project
	pkg       cargo.Package
	bin       string
	image     reference.Named
	layoutDir string
	revision  string
	targets   []target
}

// target is one platform of a build.
type target struct {
	platform ocispec.Platform
	triple   string
	base     *base
}

// Run builds the image Options describe into an OCI layout. Everything
// that can be checked is checked before cargo runs. If the build fails, the
// blobs it wrote that no tag reaches are removed again, and so are the
// layout and its parent directories if this build created them and they
// hold nothing else (see layout.Lease.Abandon), so a failed build leaves
// no trace and takes nothing that is not its own.
func Run(ctx context.Context, c Cargo, opts Options) (res Result, err error) {
	p, err := prepare(ctx, c, opts)
	if err != nil {
		return Result{}, err
	}
	// cargo's target directory is cargo's: make it first, so that cleaning
	// up after a failure can never remove what cargo builds there.
	if within(p.layoutDir, p.proj.TargetDir) {
		if err := os.MkdirAll(p.proj.TargetDir, 0o755); err != nil {
			return Result{}, fmt.Errorf("create cargo's target directory: %w", err)
		}
	}
	created := outermostMissing(p.layoutDir)
	store, lease, err := openLeased(ctx, p.layoutDir)
	if err != nil {
		return Result{}, err
	}
	defer func() {
		if err != nil {
			// Remove what this build wrote that nothing uses, and the
			// directories it created while they hold nothing else.
			lease.Abandon(ctx, created)
			return
		}
		lease.Release()
	}()
	if err := p.resolveTargets(ctx, c, opts, store); err != nil {
		return Result{}, err
	}
	arts, err := p.build(ctx, c, opts)
	if err != nil {
		return Result{}, err
	}
	return write(ctx, store, opts, p, arts)
}

// prepare checks the options and asks cargo about the project.
func prepare(ctx context.Context, c Cargo, opts Options) (*plan, error) {
	if len(opts.Tags) == 0 {
		return nil, errors.New("no tag given for the image")
	}
	for _, tag := range opts.Tags {
		if err := imageref.ValidTag(tag); err != nil {
			return nil, err
		}
	}
	if !opts.AllPlatforms {
		if _, err := triples(opts.Platforms, opts.Libc); err != nil {
			return nil, err
		}
	}
	proj := opts.Project
	var err error
	if proj == nil {
		if proj, err = c.Metadata(ctx, opts.Dir); err != nil {
			return nil, err
		}
	}
	p := &plan{proj: proj, layoutDir: opts.LayoutDir, revision: gitRevision(ctx, opts.Dir)}
	if p.pkg, err = proj.SelectPackage(opts.Dir, opts.Package); err != nil {
		return nil, err
	}
	if p.bin, err = cargo.SelectBin(p.pkg, opts.Bin); err != nil {
		return nil, err
	}
	if p.image, err = imageref.Name(opts.Name, opts.Repo, p.pkg.Name); err != nil {
		return nil, err
	}
	warnSameRepository(opts, proj, p.pkg)
	if err := checkSettingSizes(opts, p); err != nil {
		return nil, err
	}
	if p.layoutDir == "" {
		p.layoutDir = defaultLayoutDir(proj, p.pkg.Name, p.bin)
	}
	if p.layoutDir, err = filepath.Abs(p.layoutDir); err != nil {
		return nil, fmt.Errorf("OCI layout directory: %w", err)
	}
	if err := checkLayoutRef(opts, p.layoutDir); err != nil {
		return nil, err
	}
	if err := layout.CheckWritable(p.layoutDir); err != nil {
		return nil, fmt.Errorf("cannot write the OCI layout (choose another with --oci-layout): %w", err)
	}
	return p, nil
}

// triples maps each platform to its Rust target triple.
func triples(platforms []ocispec.Platform, libc cargo.Libc) ([]string, error) {
	if len(platforms) == 0 {
		return nil, errors.New("no platform given")
	}
	out := make([]string, len(platforms))
	for i, pl := range platforms {
		t, err := cargo.Triple(pl, libc)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// resolveTargets settles the platforms (asking the base for "all"), reads
// or pulls the base for each, checks each Rust target is installed and,
// meanwhile, that the image can be pushed. These checks do not depend on
// each other, so all of them run and every problem is reported at once.
func (p *plan) resolveTargets(ctx context.Context, c Cargo, opts Options, store *layout.Layout) error {
	pushed := make(chan error, 1)
	if opts.PushCheck != nil && p.image != nil {
		go func() { pushed <- opts.PushCheck(ctx, p.image) }()
	} else {
		pushed <- nil
	}
	errs := p.loadTargets(ctx, c, opts, store)
	return joinProblems(append([]error{<-pushed}, errs...)...)
}

// loadTargets reads the base and checks the Rust target of each platform,
// returning every problem found.
func (p *plan) loadTargets(ctx context.Context, c Cargo, opts Options, store *layout.Layout) []error {
	platforms := opts.Platforms
	if opts.AllPlatforms {
		var err error
		if platforms, err = basePlatforms(ctx, opts, store); err != nil {
			return []error{err}
		}
	}
	ts, err := triples(platforms, opts.Libc)
	if err != nil {
		return []error{err}
	}
	var errs []error
	for i, pl := range platforms {
		b, err := loadBase(ctx, opts, pl, store)
		errs = append(errs, err)
		t := target{platform: pl, triple: ts[i], base: b}
		if err == nil {
			if err := checkDocuments(opts, p, t); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", oci.PlatformString(pl), err))
			}
		}
		if err := c.CheckTarget(ctx, opts.Dir, ts[i]); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", oci.PlatformString(pl), err))
		}
		p.targets = append(p.targets, t)
	}
	return errs
}

// build runs cargo for every target.
func (p *plan) build(ctx context.Context, c Cargo, opts Options) ([]cargo.Artifact, error) {
	var ts, names []string
	for _, t := range p.targets {
		ts = append(ts, t.triple)
		names = append(names, oci.PlatformString(t.platform))
	}
	logf(opts, "building %s (binary %s) for %s with %s\n", p.pkg.Name, p.bin, strings.Join(names, ", "), builderName(c))
	stable, err := exposeStable(ctx, p.proj, p.pkg.Name)
	if err != nil {
		return nil, err
	}
	defer stable.release()
	// cargo runs in the project's real directory, so that it reads the
	// config files the user's own cargo would; only the manifest is named
	// through the stable path.
	manifestDir := opts.Dir
	if stable != nil {
		manifestDir = stable.toStable(manifestDir)
		logf(opts, "building in %s (a fixed path for %s, so path dependencies outside the workspace do not change the binary)\n", stable.stable, stable.real)
	}
	rustflags := append(remapFlags(p.proj, stable, opts.CargoHome), opts.Rustflags...)
	arts, err := c.Build(ctx, cargo.BuildRequest{
		Dir: opts.Dir, ManifestDir: manifestDir, Package: p.pkg.Name, Bin: p.bin, Profile: opts.Profile,
		Triples: ts, Rustflags: rustflags, Args: opts.CargoArgs,
	})
	if err != nil {
		return nil, fmt.Errorf("build for %s: %w", strings.Join(names, ", "), err)
	}
	if stable != nil {
		for i := range arts {
			arts[i].Path = stable.toReal(arts[i].Path)
		}
	}
	if len(arts) != len(p.targets) {
		return nil, fmt.Errorf("cargo built %d executables for %d platforms", len(arts), len(p.targets))
	}
	return arts, nil
}

// write puts the images (and, for several platforms, their index) into the
// layout and tags the result.
func write(ctx context.Context, store *layout.Layout, opts Options, p *plan, arts []cargo.Artifact) (Result, error) {
	var manifests []ocispec.Descriptor
	res := Result{LayoutDir: p.layoutDir, Tags: opts.Tags, Image: p.image}
	for i, t := range p.targets {
		desc, err := writeImage(ctx, store, opts, p, t, arts[i])
		if err != nil {
			return Result{}, fmt.Errorf("%s: %w", oci.PlatformString(t.platform), err)
		}
		logf(opts, "built %s for %s: %s (%d bytes)\n", p.bin, oci.PlatformString(t.platform), desc.Digest, desc.Size)
		manifests = append(manifests, desc)
		if t.base.ref != nil {
			res.Bases = append(res.Bases, t.base.ref)
		}
	}
	top := manifests[0]
	if len(manifests) > 1 {
		var err error
		if top, err = writeJSON(ctx, store, ocispec.MediaTypeImageIndex, oci.NewIndex(manifests, indexAnnotations(opts, p))); err != nil {
			return Result{}, err
		}
	}
	top.Platform = nil
	// All the tags in one change of index.json: a failure or a kill never
	// leaves some of them set.
	if err := store.TagAll(ctx, top, opts.Tags...); err != nil {
		return Result{}, fmt.Errorf("tag the image: %w", err)
	}
	logf(opts, "wrote %s (%s) to %s, tagged %s\n", top.Digest, kindOf(top), p.layoutDir, strings.Join(opts.Tags, ", "))
	res.Manifest = top
	return res, nil
}

func kindOf(desc ocispec.Descriptor) string {
	if desc.MediaType == ocispec.MediaTypeImageIndex {
		return "index"
	}
	return "image"
}

// openLeased creates or opens the layout and takes a lease on it, so that
// a concurrent build cleaning up after a failure leaves it alone; a layout
// removed under our feet by such a cleanup is created again.
func openLeased(ctx context.Context, dir string) (*layout.Layout, *layout.Lease, error) {
	for attempt := 0; ; attempt++ {
		store, err := layout.Create(ctx, dir)
		if err != nil {
			return nil, nil, fmt.Errorf("create OCI layout: %w", err)
		}
		lease, err := store.Lease(ctx)
		if err == nil {
			// Write through the lease, so that it knows which blobs are
			// this build's to remove if it fails.
			return lease.Layout(), lease, nil
		}
		// A directory on the way removed by another build's cleanup
		// (layout.Lease.Abandon) is ErrNotExist: try again too.
		if !errors.Is(err, layout.ErrLayoutGone) && !errors.Is(err, fs.ErrNotExist) || attempt == 3 {
			return nil, nil, fmt.Errorf("open OCI layout: %w", err)
		}
	}
}

// outermostMissing returns the outermost directory on the way to dir that
// does not exist yet, or "" when dir exists.
func outermostMissing(dir string) string {
	missing := ""
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, os.ErrNotExist) {
			return missing
		}
		missing = d
		if filepath.Dir(d) == d {
			return missing
		}
	}
}

func logf(opts Options, format string, args ...any) {
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, format, args...)
	}
}
