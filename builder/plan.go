package builder

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/imageref"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/docker-krust/docker-krust/oci/sbom"
)

// Plan is a build settled and checked as far as it can be without the
// base and cargo: what the command needs to know before building, and what
// Run builds.
type Plan struct {
	// Image is the image's name, or nil when the Request names none.
	Image reference.Named
	// Package and Bin are the package and binary built.
	Package cargo.Package
	Bin     string
	// LayoutDir is the absolute path of the layout the build writes.
	LayoutDir string

	b           *Builder
	req         Request
	revision    string
	annotations map[string]string // the image's, or the index's
	sbom        sbom.Format
	provenance  string
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
	if !req.AllPlatforms {
		if _, err := triples(req.Platforms, req.Libc); err != nil {
			return nil, err
		}
	}
	if _, err := oci.ParseCompression(string(req.Compression)); err != nil {
		return nil, err
	}
	if req.Compression == oci.Zstd {
		logf(b.Log, "warning: the layer is compressed with zstd: %s; use --compression gzip (the default) for an image every engine pulls\n", oci.ZstdConsumers)
	}
	p := &Plan{Package: req.Package, LayoutDir: req.LayoutDir, b: b, req: req, revision: gitRevision(ctx, req.Dir)}
	var err error
	if p.sbom, err = sbom.ParseFormat(string(req.SBOM)); err != nil {
		return nil, err
	}
	if p.provenance, err = parseProvenance(req.Provenance); err != nil {
		return nil, err
	}
	if p.Bin, err = cargo.SelectBin(req.Package, req.Bin); err != nil {
		return nil, err
	}
	if p.Image, err = imageref.Name(req.Name, req.Repo, req.Package.Name); err != nil {
		return nil, err
	}
	if req.Name == "" && req.Repo != "" { // the package's name names the image
		warnSameRepository(b.Log, req.Project, req.Package)
	}
	p.annotations = imageAnnotations(req.Package, p.revision, req.Annotations, req.Created, req.StampCreated)
	if err := checkSettingSizes(p.annotations, req.Image); err != nil {
		return nil, err
	}
	if p.LayoutDir == "" {
		p.LayoutDir = defaultLayoutDir(req.Project, req.Package.Name, p.Bin)
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

// CacheDir is the layer cache the build reads and writes, which is
// krust's own: nothing else the build writes may go there.
func (p *Plan) CacheDir() string { return layerCacheDir(p.req.Project) }

// recipe is what every image of the plan gets besides its base and layer.
func (p *Plan) recipe() recipe {
	return recipe{created: p.req.Created, settings: p.req.Image, annotations: p.annotations, compression: p.req.Compression}
}

// parseProvenance reads Request.Provenance.
func parseProvenance(mode string) (string, error) {
	switch mode {
	case "", ProvenanceSLSA:
		return ProvenanceSLSA, nil
	case ProvenanceNone:
		return ProvenanceNone, nil
	}
	return "", fmt.Errorf("invalid provenance %q: want %s (in-toto SLSA provenance v1) or %s", mode, ProvenanceSLSA, ProvenanceNone)
}
