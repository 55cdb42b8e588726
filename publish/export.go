package publish

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/internal/dockerarchive"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Engine loads images into a container engine (--load); the command
// implements it with the Docker Engine API, so that publishing needs no
// engine to be tested.
type Engine interface {
	// Load loads the image root names in store (the engine's platform's,
	// from an index), tagged tags, unless the engine has it, and returns
	// the image ID the engine knows it by.
	Load(ctx context.Context, store *layout.Layout, root ocispec.Descriptor, tags []string) (string, error)
}

// export writes the tarball and loads the engine, as d asks. It returns
// the image ID when it loaded the engine.
func export(ctx context.Context, d Destinations, store *layout.Layout, res builder.Result) (string, error) {
	if d.Engine == nil && d.Files.Tarball == nil {
		return "", nil
	}
	if d.Name == nil {
		return "", fmt.Errorf("export %s: %w", res.LayoutDir, ErrNoName)
	}
	tags, err := repoTags(d.Name, res.Tags)
	if err != nil {
		return "", err
	}
	if d.Files.Tarball != nil {
		host := ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH}
		img, err := ChooseImage(ctx, d.Log, store, res.Root, host, "this machine", tags)
		if err != nil {
			return "", err
		}
		if err := writeTarball(ctx, d.Files, store, img); err != nil {
			return "", err
		}
	}
	if d.Engine == nil {
		return "", nil
	}
	return d.Engine.Load(ctx, store, res.Root, tags)
}

// repoTags are the names the engine tags the image with, one per tag.
func repoTags(name reference.Named, tags []string) ([]string, error) {
	var out []string
	for _, t := range tags {
		tagged, err := reference.WithTag(name, t)
		if err != nil {
			return nil, fmt.Errorf("tag %s:%s: %w", name, t, err)
		}
		out = append(out, reference.FamiliarString(tagged))
	}
	return out, nil
}

// ChooseImage picks the image manifest of platform from an index (and
// tells log so), or takes the image as it is, for whose (a machine, an
// engine) to run, named tags.
func ChooseImage(ctx context.Context, log io.Writer, store *layout.Layout, desc ocispec.Descriptor, p ocispec.Platform, whose string, tags []string) (dockerarchive.Image, error) {
	m, err := oci.SelectManifest(ctx, store, desc, p)
	if err != nil {
		return dockerarchive.Image{}, fmt.Errorf("choose the image for %s (%s): %w", whose, oci.PlatformString(p), err)
	}
	if m.Digest != desc.Digest && log != nil {
		fmt.Fprintf(log, "the index has several platforms: %s for %s\n", oci.PlatformString(p), whose)
	}
	return dockerarchive.Image{Manifest: m, RepoTags: tags}, nil
}

// writeTarball writes img's archive to --tarball: a file whole (a
// failure leaves what was there), a pipe as a stream.
func writeTarball(ctx context.Context, files Files, store *layout.Layout, img dockerarchive.Image) error {
	return files.Tarball.Write(ctx, files.Write, func(w io.Writer) error {
		_, err := dockerarchive.Write(ctx, w, store, img)
		return err
	})
}
