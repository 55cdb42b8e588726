package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/imageref"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
)

// plan is what a build settled on before cargo runs.
type plan struct {
	pkg       cargo.Package
	bin       string
	triple    string
	image     string
	layoutDir string
	base      *base
}

// Run builds the image Options describe into an OCI layout. Everything
// that can be checked is checked before cargo runs, and the layout is only
// touched once the executable exists, so a failed build leaves no trace.
func Run(ctx context.Context, c Cargo, opts Options) (Result, error) {
	p, err := prepare(ctx, c, opts)
	if err != nil {
		return Result{}, err
	}
	logf(opts, "building %s (binary %s) for %s with cargo\n", p.pkg.Name, p.bin, p.triple)
	art, err := c.Build(ctx, cargo.BuildRequest{
		Dir: opts.Dir, Package: p.pkg.Name, Bin: p.bin, Triple: p.triple, Args: opts.CargoArgs,
	})
	if err != nil {
		return Result{}, err
	}
	return write(ctx, opts, p, art)
}

// prepare checks the options, asks cargo about the project and reads the
// base image.
func prepare(ctx context.Context, c Cargo, opts Options) (*plan, error) {
	triple, err := cargo.Triple(opts.Platform, opts.Libc)
	if err != nil {
		return nil, err
	}
	if err := imageref.ValidTag(opts.Tag); err != nil {
		return nil, err
	}
	proj, err := c.Metadata(ctx, opts.Dir)
	if err != nil {
		return nil, err
	}
	p := &plan{triple: triple, layoutDir: opts.LayoutDir}
	if p.pkg, err = proj.SelectPackage(opts.Dir, opts.Package); err != nil {
		return nil, err
	}
	if p.bin, err = cargo.SelectBin(p.pkg, opts.Bin); err != nil {
		return nil, err
	}
	named, err := imageref.Name(opts.Image, opts.Repo, p.pkg.Name)
	if err != nil {
		return nil, err
	}
	if named != nil {
		p.image = named.String()
	}
	if p.layoutDir == "" {
		p.layoutDir = filepath.Join(proj.TargetDir, "krust", "oci")
	}
	if p.layoutDir, err = filepath.Abs(p.layoutDir); err != nil {
		return nil, fmt.Errorf("OCI layout directory: %w", err)
	}
	if err := layout.CheckWritable(p.layoutDir); err != nil {
		return nil, fmt.Errorf("cannot write the OCI layout (choose another with --oci-layout): %w", err)
	}
	if p.base, err = loadBase(ctx, opts.Base, opts.Platform); err != nil {
		return nil, err
	}
	if err := c.CheckTarget(ctx, opts.Dir, triple); err != nil {
		return nil, err
	}
	return p, nil
}

// write puts the image into the layout and tags it. If anything fails, the
// directories this build created for the layout are removed again.
func write(ctx context.Context, opts Options, p *plan, art cargo.Artifact) (res Result, err error) {
	created := outermostMissing(p.layoutDir)
	store, err := layout.Create(p.layoutDir)
	if err != nil {
		return Result{}, fmt.Errorf("create OCI layout: %w", err)
	}
	defer func() {
		if err != nil && created != "" {
			_ = os.RemoveAll(created)
		}
	}()
	desc, err := writeImage(ctx, store, opts, p, art)
	if err != nil {
		return Result{}, err
	}
	if err := store.Tag(ctx, desc, opts.Tag); err != nil {
		return Result{}, fmt.Errorf("tag %s in %s: %w", opts.Tag, p.layoutDir, err)
	}
	logf(opts, "built %s for %s: %s (%d bytes) in %s, tag %s\n",
		p.bin, oci.PlatformString(opts.Platform), desc.Digest, desc.Size, p.layoutDir, opts.Tag)
	return Result{LayoutDir: p.layoutDir, Tag: opts.Tag, Manifest: desc, Image: p.image}, nil
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
