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

// Run builds the image p describes into its OCI layout: RunAll of p
// alone.
func (p *Plan) Run(ctx context.Context) (Result, error) {
	res, err := RunAll(ctx, []*Plan{p}, 1)
	if err != nil {
		return Result{}, err
	}
	return res[0], nil
}

// started is a plan whose layout is open and leased, and whose targets
// are checked: ready for cargo.
type started struct {
	p       *Plan
	store   *layout.Layout
	lease   *layout.Lease
	targets []target
	// created is the outermost directory the build created for its
	// layout; madeTarget says it created cargo's target directory.
	created    string
	madeTarget bool
	arts       [][]cargo.Artifact
	// layers is the build's layer cache, made before cargo runs so that
	// each executable's layer can be written as soon as cargo reports it
	// (early), while cargo builds the others.
	layers *layerCache
	early  sync.WaitGroup
}

// start opens p's layout under a lease and checks its targets. Everything
// that can be checked is checked before cargo runs.
func (p *Plan) start(ctx context.Context) (s *started, err error) {
	s = &started{p: p}
	// cargo's target directory is cargo's: make it first, so that cleaning
	// up after a failure can never remove what cargo builds there. One made
	// here is removed again after a failure only while it is empty, as
	// when a check before cargo fails.
	if target := p.req.Project.TargetDir; within(p.LayoutDir, target) {
		if _, statErr := os.Lstat(target); errors.Is(statErr, fs.ErrNotExist) {
			s.madeTarget = true
		}
		if err := os.MkdirAll(target, 0o755); err != nil {
			return nil, fmt.Errorf("create cargo's target directory: %w", err)
		}
	}
	s.created = outermostMissing(p.LayoutDir)
	if s.store, s.lease, err = openLeased(ctx, p.LayoutDir); err != nil {
		s.cleanTarget()
		return nil, err
	}
	if s.targets, err = p.prepareTargets(ctx, s.store); err != nil {
		s.abandon(ctx)
		return nil, err
	}
	s.layers = newLayerCache(p.req.Project, p.b.Log, p.req.Compression, p.b.layerCompressed)
	return s, nil
}

// writeEarly writes, in the background, the layer of art, an executable of
// one of s's targets that cargo just reported, so that the image's write
// finds it done (layerCache.built); a failure is left for that write to
// meet again and report.
func (s *started) writeEarly(ctx context.Context, art cargo.Artifact) {
	if !slices.Contains(s.p.Bins, art.Bin) || !slices.ContainsFunc(s.targets, func(t target) bool { return t.triple == art.Triple }) {
		return
	}
	s.early.Go(func() { _, _ = s.layers.layer(ctx, s.store, binaryLayer(art), s.p.req.Created) })
}

// abandon removes what the build wrote that nothing uses, and the
// directories it created while they hold nothing else (see
// layout.Lease.Abandon), so a failed build leaves no trace and takes
// nothing that is not its own.
func (s *started) abandon(ctx context.Context) {
	s.early.Wait()
	s.lease.Abandon(ctx, s.created)
	s.cleanTarget()
}

func (s *started) cleanTarget() {
	if s.madeTarget {
		_ = os.Remove(s.p.req.Project.TargetDir)
	}
}

// finish asks cargo about what it built and writes the images; the
// result holds the build's lease until it is published.
func (s *started) finish(ctx context.Context, together []string) (Result, error) {
	s.early.Wait() // its layers are in s.layers then, and no write is left behind
	s.p.settleRevision()
	d, err := s.p.describe(ctx, s.targets, s.arts, together)
	if err != nil {
		return Result{}, err
	}
	res, err := s.p.write(ctx, s.store, s.layers, s.targets, s.arts, d)
	if err != nil {
		return Result{}, err
	}
	return res.holding(s.store, s.lease), nil
}

// write puts the images (and, for several platforms, their index) into the
// layout and tags the result.
func (p *Plan) write(ctx context.Context, store *layout.Layout, layers *layerCache, targets []target, arts [][]cargo.Artifact, d *described) (Result, error) {
	tags, r := p.req.Tags, p.recipe()
	res := Result{LayoutDir: p.LayoutDir, Tags: tags, Image: p.Ref}
	s, err := p.signer()
	if err != nil {
		return Result{}, err
	}
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
	if res.Referrers, res.Signatures, err = p.attach(ctx, store, targets, manifests, d, s); err != nil {
		return Result{}, err
	}
	if len(res.Referrers) > 0 {
		logf(p.b.Log, "attached %s to %s\n", p.documentNames(), theOrEach(len(targets), "image manifest"))
	}
	top.Platform = nil
	update := layout.Update{Desc: top, Tags: tags, Supersede: attest.ArtifactTypes()}
	if err := p.signAll(ctx, s, store, manifests, &res, &update); err != nil {
		return Result{}, err
	}
	// All the tags and the referrers in one change of index.json: a
	// failure or a kill never leaves some of them set, nor an image
	// without its SBOM or its signature.
	for _, r := range res.Referrers {
		update.Referrers = append(update.Referrers, r.Manifest)
	}
	update.Referrers = append(update.Referrers, res.Signatures...)
	if err := store.Apply(ctx, update); err != nil {
		return Result{}, fmt.Errorf("tag the image: %w", err)
	}
	logf(p.b.Log, "wrote %s (%s) to %s, tagged %s\n", top.Digest, kindOf(top), p.LayoutDir, strings.Join(tags, ", "))
	// Only now are the new layers worth remembering: a build that failed
	// before its tag leaves no cache entries behind.
	layers.save(ctx, store, manifests)
	p.answers.save()
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
