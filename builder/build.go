package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// target is one platform of a build.
type target struct {
	platform ocispec.Platform
	triple   string
	base     *base
}

// Run builds the image p describes into its OCI layout. Everything that
// can be checked is checked before cargo runs. If the build fails, the
// blobs it wrote that no tag reaches are removed again, and so are the
// layout and its parent directories if this build created them and they
// hold nothing else (see layout.Lease.Abandon), so a failed build leaves
// no trace and takes nothing that is not its own. A built Result holds the
// build's lease on the layout: call its Release once it is published.
func (p *Plan) Run(ctx context.Context) (res Result, err error) {
	// cargo's target directory is cargo's: make it first, so that cleaning
	// up after a failure can never remove what cargo builds there. One made
	// here is removed again after a failure only while it is empty, as
	// when a check before cargo fails.
	if target := p.req.Project.TargetDir; within(p.LayoutDir, target) {
		if _, statErr := os.Lstat(target); errors.Is(statErr, fs.ErrNotExist) {
			defer func() {
				if err != nil {
					_ = os.Remove(target)
				}
			}()
		}
		if err := os.MkdirAll(target, 0o755); err != nil {
			return Result{}, fmt.Errorf("create cargo's target directory: %w", err)
		}
	}
	created := outermostMissing(p.LayoutDir)
	store, lease, err := openLeased(ctx, p.LayoutDir)
	if err != nil {
		return Result{}, err
	}
	defer func() {
		if err != nil {
			// Remove what this build wrote that nothing uses, and the
			// directories it created while they hold nothing else.
			lease.Abandon(ctx, created)
		}
	}()
	targets, err := p.prepareTargets(ctx, store)
	if err != nil {
		return Result{}, err
	}
	unlock, err := p.b.bins.lockAll(ctx, p.req.Project.TargetDir, p.Bins)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	arts, err := p.build(ctx, targets)
	if err != nil {
		return Result{}, err
	}
	d, err := p.describe(ctx, targets, arts)
	if err != nil {
		return Result{}, err
	}
	if res, err = p.write(ctx, store, targets, arts, d); err != nil {
		return Result{}, err
	}
	// The lease goes with the result, until it is published.
	return res.holding(store, lease), nil
}

// build runs cargo for every target and returns the executables of each
// target, in the targets' order, each in the order of p.Bins.
func (p *Plan) build(ctx context.Context, targets []target) ([][]cargo.Artifact, error) {
	var ts, names []string
	for _, t := range targets {
		ts = append(ts, t.triple)
		names = append(names, oci.PlatformString(t.platform))
	}
	proj, req := p.req.Project, p.req
	logf(p.b.Log, "building %s (%s %s) for %s with %s\n", p.Package.Name, plural(len(p.Bins), "binary", "binaries"), strings.Join(p.Bins, ", "), strings.Join(names, ", "), builderName(p.b.Cargo))
	stable, err := exposeStable(ctx, proj, p.Package.Name)
	if err != nil {
		return nil, err
	}
	defer stable.release()
	// cargo runs in the project's real directory, so that it reads the
	// config files the user's own cargo would; only the manifest is named
	// through the stable path.
	manifestDir := req.Dir
	if stable != nil {
		manifestDir = stable.toStable(manifestDir)
		logf(p.b.Log, "building in %s (a fixed path for %s, so path dependencies outside the workspace do not change the binary)\n", stable.stable, stable.real)
	}
	rustflags := remapFlags(proj, stable, req.CargoHome)
	arts, err := p.b.Cargo.Build(ctx, cargo.BuildRequest{
		Dir: req.Dir, ManifestDir: manifestDir, Package: p.Package.Name, Bins: p.Bins, Profile: req.Profile,
		Triples: ts, Rustflags: rustflags, Args: req.CargoArgs,
	})
	if err != nil {
		return nil, fmt.Errorf("build for %s: %w", strings.Join(names, ", "), err)
	}
	if stable != nil {
		for i := range arts {
			arts[i].Path = stable.toReal(arts[i].Path)
		}
	}
	if len(arts) != len(targets)*len(p.Bins) {
		return nil, fmt.Errorf("cargo built %d executables for %d platforms and %d binaries", len(arts), len(targets), len(p.Bins))
	}
	return slices.Collect(slices.Chunk(arts, len(p.Bins))), nil
}

// plural picks the noun for n things.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// write puts the images (and, for several platforms, their index) into the
// layout and tags the result.
func (p *Plan) write(ctx context.Context, store *layout.Layout, targets []target, arts [][]cargo.Artifact, d *described) (Result, error) {
	tags, r := p.req.Tags, p.recipe()
	res := Result{LayoutDir: p.LayoutDir, Tags: tags, Image: p.Ref}
	layers := newLayerCache(p.req.Project, p.b.Log, r.compression, p.b.layerCompressed)
	manifests, err := writeImages(ctx, store, layers, r, targets, arts)
	if err == nil && d != nil {
		err = p.recordFiles(ctx, store, targets[0], manifests[0])
	}
	if err != nil {
		return Result{}, err
	}
	for i, t := range targets {
		logf(p.b.Log, "built %s for %s: %s (%d bytes)\n", strings.Join(p.Bins, ", "), oci.PlatformString(t.platform), manifests[i].Digest, manifests[i].Size)
		if t.base.ref != nil {
			res.Bases = append(res.Bases, t.base.ref)
		}
	}
	top := manifests[0]
	if len(manifests) > 1 {
		if top, err = writeJSON(ctx, store, ocispec.MediaTypeImageIndex, oci.NewIndex(manifests, r.annotations)); err != nil {
			return Result{}, err
		}
	}
	if res.Referrers, err = p.attach(ctx, store, targets, manifests, d); err != nil {
		return Result{}, err
	}
	if len(res.Referrers) > 0 {
		logf(p.b.Log, "attached %s to %s\n", p.documentNames(), theOrEach(len(targets), "image manifest"))
	}
	top.Platform = nil
	// All the tags and the referrers in one change of index.json: a
	// failure or a kill never leaves some of them set, nor an image
	// without its SBOM.
	update := layout.Update{Desc: top, Tags: tags, Supersede: attest.ArtifactTypes()}
	for _, r := range res.Referrers {
		update.Referrers = append(update.Referrers, r.Manifest)
	}
	if err := store.Apply(ctx, update); err != nil {
		return Result{}, fmt.Errorf("tag the image: %w", err)
	}
	logf(p.b.Log, "wrote %s (%s) to %s, tagged %s\n", top.Digest, kindOf(top), p.LayoutDir, strings.Join(tags, ", "))
	// Only now are the new layers worth remembering: a build that failed
	// before its tag leaves no cache entries behind.
	layers.save(ctx, store, manifests)
	res.Root = top
	return res, nil
}

// writeImages writes the image of every target at once, since each
// compresses its own layer, and returns their manifests in the targets'
// order, so that the index is the same however the writes interleave. A
// failure is reported for every platform it happened to.
func writeImages(ctx context.Context, store *layout.Layout, layers *layerCache, r recipe, targets []target, arts [][]cargo.Artifact) ([]ocispec.Descriptor, error) {
	manifests := make([]ocispec.Descriptor, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	// Each layer's compression is parallel already: more writes at once
	// than cores would only add memory.
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, t := range targets {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			desc, err := writeImage(ctx, store, layers, r, t, arts[i])
			if err != nil {
				errs[i] = fmt.Errorf("%s: %w", oci.PlatformString(t.platform), err)
			}
			manifests[i] = desc
		})
	}
	wg.Wait()
	return manifests, errors.Join(errs...)
}

// kindOf names what a build wrote, for its log: an index or an image.
func kindOf(desc ocispec.Descriptor) string {
	if oci.IsIndex(desc.MediaType) {
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

// logf writes a progress message to log, if there is one.
func logf(log io.Writer, format string, args ...any) {
	if log != nil {
		fmt.Fprintf(log, format, args...)
	}
}
