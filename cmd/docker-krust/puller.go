package main

import (
	"context"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// basePuller pulls a build's registry bases with remote, handing the
// pipeline plain values (builder.Puller), so that only the command joins
// the pipeline to registry I/O.
type basePuller struct{ client *remote.Client }

func (p basePuller) PullBase(ctx context.Context, ref string, platform ocispec.Platform, store *layout.Layout) (reference.Named, ocispec.Descriptor, error) {
	base, err := p.client.PullBase(ctx, ref, platform, store)
	return base.Name, base.Manifest, err
}

func (p basePuller) BasePlatforms(ctx context.Context, ref string) ([]ocispec.Platform, error) {
	return p.client.BasePlatforms(ctx, ref)
}
