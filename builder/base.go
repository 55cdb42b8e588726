package builder

import (
	"context"
	"fmt"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/internal/scrub"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// base is the image a build starts from; a nil store means scratch.
type base struct {
	// name is the base as krust reaches it: a registry reference (what
	// the org.opencontainers.image.base.name annotation says), or a
	// layout's oci:ABSOLUTE_DIR:TAG, which only scrubbed (scrub.ImageRef)
	// may leave the machine.
	name     string
	ref      reference.Named // a registry base's name, else nil
	digest   digest.Digest
	manifest ocispec.Manifest
	config   *ocispec.Image
	store    *layout.Layout
}

// loadBase reads the base spec names (see Request.Base) for platform,
// verifying every document it reads against its digest. A registry base is
// pulled into store first, through puller.
func loadBase(ctx context.Context, puller Puller, spec string, platform ocispec.Platform, store *layout.Layout) (*base, error) {
	if spec == Scratch {
		return &base{}, nil
	}
	if dir, tag, ok := layout.ParseRef(spec); ok {
		return loadLayoutBase(ctx, spec, dir, tag, platform)
	}
	if err := checkBaseRef(spec); err != nil {
		return nil, err
	}
	if puller == nil {
		return nil, fmt.Errorf("base image %q: %w; use scratch or oci:PATH[:TAG]", spec, ErrNoPuller)
	}
	name, manifest, err := puller.PullBase(ctx, spec, platform, store)
	if err != nil {
		return nil, err
	}
	b, err := readBaseImage(ctx, store, manifest, platform)
	if err != nil {
		return nil, fmt.Errorf("base image %s: %w", spec, err)
	}
	b.name, b.ref = name.String(), name
	return b, nil
}

// checkBaseRef refuses a registry base whose reference holds user
// information, naming it without: the reference grammar's own error would
// quote the password, and the reference is written into the documents.
func checkBaseRef(spec string) error {
	if clean := scrub.Reference(spec); clean != spec {
		return fmt.Errorf("base image %q (user information removed): a reference holds no user name or password; log in with docker login instead", clean)
	}
	return nil
}

// loadLayoutBase reads a base kept in another OCI layout.
func loadLayoutBase(ctx context.Context, spec, dir, tag string, platform ocispec.Platform) (*base, error) {
	src, err := layout.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("base image %s: %w", spec, err)
	}
	desc, err := src.FindImage(ctx, tag)
	if err != nil {
		return nil, fmt.Errorf("base image %s: %w", spec, err)
	}
	b, err := readBaseImage(ctx, src, desc, platform)
	if err != nil {
		return nil, fmt.Errorf("base image %s: %w", spec, err)
	}
	// Name the base as the user would to reach it again (the layout's
	// absolute path and tag), not by its tag alone, which names nothing
	// outside that layout.
	b.name = layout.ImageRef(dir, tag, desc)
	return b, nil
}

// readBaseImage reads the image desc points at, choosing platform's
// manifest from an index.
func readBaseImage(ctx context.Context, store *layout.Layout, desc ocispec.Descriptor, platform ocispec.Platform) (*base, error) {
	desc, err := oci.SelectManifest(ctx, store, desc, platform)
	if err != nil {
		return nil, err
	}
	if !oci.IsManifest(desc.MediaType) {
		return nil, fmt.Errorf("%s has media type %q, not an image manifest or index", desc.Digest, desc.MediaType)
	}
	var m ocispec.Manifest
	if err := oci.ReadJSON(ctx, store, desc, oci.MaxManifestSize, &m); err != nil {
		return nil, err
	}
	var cfg ocispec.Image
	if err := oci.ReadJSON(ctx, store, m.Config, oci.MaxConfigSize, &cfg); err != nil {
		return nil, err
	}
	if len(cfg.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("manifest %s has %d layers but its config lists %d diff_ids", desc.Digest, len(m.Layers), len(cfg.RootFS.DiffIDs))
	}
	if cfg.Architecture != "" && !oci.SamePlatform(cfg.Platform, platform) {
		return nil, fmt.Errorf("it is for %s, not %s", oci.PlatformString(cfg.Platform), oci.PlatformString(platform))
	}
	return &base{digest: desc.Digest, manifest: m, config: &cfg, store: store}, nil
}
