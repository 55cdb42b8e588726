package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/builder"
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

// repoTags are the names the engine tags the image with, one per tag.
func (o outputs) repoTags(tags []string) ([]string, error) {
	var out []string
	for _, t := range tags {
		tagged, err := reference.WithTag(o.name, t)
		if err != nil {
			return nil, fmt.Errorf("tag %s:%s: %w", o.name, t, err)
		}
		out = append(out, reference.FamiliarString(tagged))
	}
	return out, nil
}

// export writes the tarball (files.tarball, checked before the build) and
// loads the engine, as o asks. It returns the image ID when it loaded the
// engine.
func (o outputs) export(ctx context.Context, env *environment, files *outputFiles, res builder.Result) (string, error) {
	if !o.load && o.tarball == "" {
		return "", nil
	}
	store, err := openLayout(res.LayoutDir)
	if err != nil {
		return "", err
	}
	release, err := leaseForPush(ctx, store)
	if err != nil {
		return "", err
	}
	defer release()
	tags, err := o.repoTags(res.Tags)
	if err != nil {
		return "", err
	}
	if files.tarball != nil {
		host := ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH}
		img, err := chooseImage(ctx, env, store, res.Root, host, "this machine", tags)
		if err != nil {
			return "", err
		}
		if err := writeTarball(ctx, files, store, img); err != nil {
			return "", err
		}
	}
	if !o.load {
		return "", nil
	}
	eng, err := env.engine()
	if err != nil {
		return "", err
	}
	return loadImage(ctx, env, eng.bounded(o.timeout), store, res.Root, tags)
}

// chooseImage picks the image manifest of platform from an index (and
// says so), or takes the image as it is.
func chooseImage(ctx context.Context, env *environment, store *layout.Layout, desc ocispec.Descriptor, p ocispec.Platform, whose string, tags []string) (dockerarchive.Image, error) {
	m, err := oci.SelectManifest(ctx, store, desc, p)
	if err != nil {
		return dockerarchive.Image{}, fmt.Errorf("choose the image for %s (%s): %w", whose, oci.PlatformString(p), err)
	}
	if m.Digest != desc.Digest {
		fmt.Fprintf(env.stderr, "the index has several platforms: %s for %s\n", oci.PlatformString(p), whose)
	}
	return dockerarchive.Image{Manifest: m, RepoTags: tags}, nil
}

// writeTarball writes img's archive to --tarball: a file whole (a
// failure leaves what was there), a pipe as a stream.
func writeTarball(ctx context.Context, files *outputFiles, store *layout.Layout, img dockerarchive.Image) error {
	return files.tarball.Write(ctx, files.write, func(w io.Writer) error {
		_, err := dockerarchive.Write(ctx, w, store, img)
		return err
	})
}

// errNoEngine means no Docker Engine answered for --load.
var errNoEngine = errors.New("no Docker Engine answers")
