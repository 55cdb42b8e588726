package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/distribution/reference"
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
	image     reference.Named
	layoutDir string
	base      *base
}

// Run builds the image Options describe into an OCI layout. Everything
// that can be checked is checked before cargo runs, and a layout this build
// created is removed again if the build fails, so a failed build leaves no
// trace.
func Run(ctx context.Context, c Cargo, opts Options) (res Result, err error) {
	p, err := prepare(ctx, c, opts)
	if err != nil {
		return Result{}, err
	}
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
	if p.base, err = loadBase(ctx, opts, store); err != nil {
		return Result{}, err
	}
	if err := c.CheckTarget(ctx, opts.Dir, p.triple); err != nil {
		return Result{}, err
	}
	logf(opts, "building %s (binary %s) for %s with cargo\n", p.pkg.Name, p.bin, p.triple)
	art, err := c.Build(ctx, cargo.BuildRequest{
		Dir: opts.Dir, Package: p.pkg.Name, Bin: p.bin, Triple: p.triple, Args: opts.CargoArgs,
	})
	if err != nil {
		return Result{}, err
	}
	return write(ctx, store, opts, p, art)
}

// prepare checks the options and asks cargo about the project.
func prepare(ctx context.Context, c Cargo, opts Options) (*plan, error) {
	triple, err := cargo.Triple(opts.Platform, opts.Libc)
	if err != nil {
		return nil, err
	}
	if len(opts.Tags) == 0 {
		return nil, fmt.Errorf("no tag given for the image")
	}
	for _, tag := range opts.Tags {
		if err := imageref.ValidTag(tag); err != nil {
			return nil, err
		}
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
	if p.image, err = imageref.Name(opts.Image, opts.Repo, p.pkg.Name); err != nil {
		return nil, err
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
	return p, nil
}

// write puts the image into the layout and tags it.
func write(ctx context.Context, store *layout.Layout, opts Options, p *plan, art cargo.Artifact) (Result, error) {
	desc, err := writeImage(ctx, store, opts, p, art)
	if err != nil {
		return Result{}, err
	}
	for _, tag := range opts.Tags {
		if err := store.Tag(ctx, desc, tag); err != nil {
			return Result{}, fmt.Errorf("tag %s in %s: %w", tag, p.layoutDir, err)
		}
	}
	logf(opts, "built %s for %s: %s (%d bytes) in %s, tagged %s\n",
		p.bin, oci.PlatformString(opts.Platform), desc.Digest, desc.Size, p.layoutDir, strings.Join(opts.Tags, ", "))
	return Result{LayoutDir: p.layoutDir, Tags: opts.Tags, Manifest: desc, Image: p.image, Base: p.base.ref}, nil
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
