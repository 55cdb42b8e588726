package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/imageref"
	"github.com/docker-krust/docker-krust/internal/dockerarchive"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// localRepo names images that go to the engine, not a registry, as
// ko.local does for ko: KRUST_REPO=krust.local means --load.
const localRepo = "krust.local"

// outputs says where a build goes besides its layout.
type outputs struct {
	push, load bool
	tarball    string
	// name is the image's name in the engine or the tarball: the image's
	// own, or krust.local/PACKAGE when no repository is set.
	name reference.Named
	// timeout bounds the load: --timeout.
	timeout time.Duration
}

// outputs decides, before cargo runs, what the build is for.
func (f *buildFlags) outputs(r config.Settled, pkg string) (outputs, error) {
	name, err := imageref.Name(r.Name, r.Repo, pkg)
	if err != nil {
		return outputs{}, err
	}
	local := name == nil || reference.Domain(name) == localRepo
	o := outputs{load: f.load || (name != nil && local), tarball: f.tarball, name: name, timeout: f.registry.timeout}
	o.push = !f.noPush && !(local && (o.load || o.tarball != ""))
	if (o.load || o.tarball != "") && r.Compression == oci.Zstd {
		return o, fmt.Errorf("--compression zstd with --load or --tarball: %w; build with --compression gzip", dockerarchive.ErrZstdLayer)
	}
	if name == nil {
		o.name, err = imageref.Name("", localRepo, pkg)
	}
	return o, err
}

// engineLoad loads images into the Docker Engine of the current Docker
// context (see loadImage), every call bounded by timeout (--timeout).
type engineLoad struct {
	env     *environment
	timeout time.Duration
}

// Load implements publish.Engine.
func (l engineLoad) Load(ctx context.Context, store *layout.Layout, root ocispec.Descriptor, tags []string) (string, error) {
	eng, err := l.env.engine()
	if err != nil {
		return "", err
	}
	return loadImage(ctx, l.env, eng.bounded(l.timeout), store, root, tags)
}

// errNoEngine means no Docker Engine answered for --load.
var errNoEngine = errors.New("no Docker Engine answers")
