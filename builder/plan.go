package builder

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/imageref"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/docker-krust/docker-krust/oci/provenance"
)

// Plan is a build settled and checked as far as it can be without the
// base and cargo: what the command needs to know before building, and what
// Run builds.
type Plan struct {
	// Ref is the image's name, where it is pushed, or nil when the Request
	// names none.
	Ref reference.Named
	// Package is the package built, Bins its binaries that go into the
	// image, each at /app/NAME, and Entrypoint the one of them the image
	// runs.
	Package    cargo.Package
	Bins       []string
	Entrypoint string
	// LayoutDir is the absolute path of the layout the build writes.
	LayoutDir string

	b   *Builder
	req Request
	// revision is git's, asked in the background (see revisions).
	revision *revision
	// annotations are the image's, or the index's: until settleRevision,
	// with the longest revision in place of git's answer, for the size
	// checks.
	annotations map[string]string
	// triples are the Rust targets of the Request's platforms, one per
	// platform; nil for AllPlatforms, whose platforms the base says.
	triples []string
	// profile is cargo's profile the build uses.
	profile string
	// kinds are the kinds of document attached to each image.
	kinds []attest.Kind
	// files is the layer of the files setting, nil for none; filesLayer
	// is what the provenance says of it, once Run has written it.
	files      *layerSource
	filesLayer *provenance.Files
	// toolchainMemo asks for the toolchain once (toolchaincache.go).
	toolchainMemo toolchainMemo
	// answers are cargo's answers to cache once the image is written.
	answers pendingAnswers
}

// Prepare checks req and settles what can be settled before the base is
// read and cargo runs: the binary, the image's name, the layout and the
// annotations. It writes nothing.
func (b *Builder) Prepare(ctx context.Context, req Request) (*Plan, error) {
	if req.Project == nil {
		return nil, errors.New("no cargo project given to build")
	}
	if len(req.Tags) == 0 {
		return nil, errors.New("no tag given for the image")
	}
	for _, tag := range req.Tags {
		if err := imageref.ValidTag(tag); err != nil {
			return nil, err
		}
	}
	p := &Plan{Package: req.Package, LayoutDir: req.LayoutDir, b: b, req: req, profile: cargo.ProfileOrDefault(req.Profile)}
	var err error
	if !req.AllPlatforms {
		if p.triples, err = triples(req.Platforms, req.Libc); err != nil {
			return nil, err
		}
	}
	if req.Compression == oci.Zstd {
		logf(b.Log, "warning: the layer is compressed with zstd: %s; use --compression gzip (the default) for an image every engine pulls\n", oci.ZstdConsumers)
	}
	if p.kinds, err = documentKinds(req.SBOM, req.Provenance); err != nil {
		return nil, err
	}
	p.revision = b.revisions.of(ctx, req.Dir)
	if p.Bins, p.Entrypoint, err = selectBins(req.Package, req.Bins, req.Entrypoint); err != nil {
		return nil, err
	}
	if p.files, err = filesLayer(ctx, req.Files, filesDirs{packageDir(req), req.Project.WorkspaceRoot, req.Project.TargetDir}, p.Bins); err != nil {
		return nil, err
	}
	if p.Ref, err = imageref.Name(req.Name, req.Repo, req.Package.Name); err != nil {
		return nil, err
	}
	if req.Name == "" && req.Repo != "" { // the package's name names the image
		warnSameRepository(b.Log, req.Project, req.Package)
	}
	p.annotations = imageAnnotations(req.Package, longestRevision, req.Annotations, req.Created, req.StampCreated)
	if err := checkSettingSizes(p.annotations, req.ImageConfig); err != nil {
		return nil, err
	}
	if p.LayoutDir == "" {
		p.LayoutDir = defaultLayoutDir(req.Project, req.Package.Name, p.Bins)
	}
	if p.LayoutDir, err = filepath.Abs(p.LayoutDir); err != nil {
		return nil, fmt.Errorf("OCI layout directory: %w", err)
	}
	if req.PrintsLayoutRef {
		if err := checkLayoutRef(p.LayoutDir, req.Tags[0]); err != nil {
			return nil, err
		}
	}
	if err := layout.CheckWritable(p.LayoutDir); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLayoutNotWritable, err)
	}
	return p, nil
}

// settleRevision waits for git's answer and puts it in the annotations;
// the build calls it once cargo is done, before anything records them.
func (p *Plan) settleRevision() {
	p.annotations = imageAnnotations(p.req.Package, p.revision.wait(), p.req.Annotations, p.req.Created, p.req.StampCreated)
}

// CacheDir is the layer cache the build reads and writes, which is
// krust's own: nothing else the build writes may go there.
func (p *Plan) CacheDir() string { return layerCacheDir(p.req.Project) }

// recipe is what every image of the plan gets besides its base and layer.
func (p *Plan) recipe() recipe {
	r := recipe{entrypoint: p.Entrypoint, created: p.req.Created, settings: p.req.ImageConfig, annotations: p.annotations, compression: p.req.Compression}
	if p.files != nil {
		r.extra = []layerSource{*p.files}
	}
	return r
}

// packageDir is the directory of the package's Cargo.toml, which the
// paths of its files are relative to; the project's directory when cargo
// named no manifest.
func packageDir(req Request) string {
	if req.Package.ManifestPath == "" {
		return req.Dir
	}
	return filepath.Dir(req.Package.ManifestPath)
}
