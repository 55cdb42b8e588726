package main

import (
	"context"
	"fmt"
	"io"

	"github.com/docker-krust/docker-krust/internal/dockerarchive"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// loadImage loads the engine's platform's image into the engine as a
// docker archive, unless the engine has it, and tags it. It returns the
// image ID, sha256:CONFIG_DIGEST, which names exactly this build.
func loadImage(ctx context.Context, env *environment, eng *engine, store *layout.Layout, desc ocispec.Descriptor, tags []string) (string, error) {
	v, err := eng.client.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return "", fmt.Errorf("--load: %w at %s (Docker context %q): %v; start the engine or choose another with DOCKER_HOST or --context (the layout is kept at %s)",
			errNoEngine, eng.host, eng.context, err, store.Dir())
	}
	p := ocispec.Platform{OS: v.Os, Architecture: v.Arch}
	img, err := chooseImage(ctx, env, store, desc, p, "the Docker Engine", tags)
	if err != nil {
		return "", err
	}
	m, err := dockerarchive.Read(ctx, store, img)
	if err != nil {
		return "", err
	}
	// The classic store names an image by its config digest; the
	// containerd store by what was loaded, the whole index when there is one.
	id := m.Config.Digest.String()
	if eng.containerdStore(ctx) {
		if oci.IsIndex(desc.MediaType) {
			img.Index = &desc
			fmt.Fprintf(env.stderr, "the %s uses the containerd image store: loading the whole index\n", eng.where())
		}
		id = desc.Digest.String()
	}
	if have, err := eng.client.ImageInspect(ctx, id); err == nil {
		fmt.Fprintf(env.stderr, "the %s has image %s already: not sent again\n", eng.where(), id)
		return id, eng.tagMissing(ctx, id, have.RepoTags, tags)
	}
	err = eng.loadArchive(ctx, func(w io.Writer) error {
		_, err := dockerarchive.Write(ctx, w, store, img)
		return err
	})
	return id, err
}

// containerdSnapshotter is the driver-type the engine reports in
// DriverStatus when it keeps images in containerd (Docker 24+ option,
// default in 29), not in its classic image store.
const containerdSnapshotter = "io.containerd.snapshotter.v1"

// containerdStore asks the engine whether it uses the containerd image
// store; an engine that does not say is taken as classic, which loads the
// docker-archive form every engine reads.
func (e *engine) containerdStore(ctx context.Context) bool {
	info, err := e.client.Info(ctx, client.InfoOptions{})
	return err == nil && usesContainerd(info.Info.DriverStatus)
}

func usesContainerd(status [][2]string) bool {
	for _, kv := range status {
		if kv[0] == "driver-type" && kv[1] == containerdSnapshotter {
			return true
		}
	}
	return false
}

// tagMissing gives image id the tags it lacks.
func (e *engine) tagMissing(ctx context.Context, id string, have, want []string) error {
	got := map[string]bool{}
	for _, t := range have {
		got[t] = true
	}
	for _, t := range want {
		if got[t] {
			continue
		}
		if _, err := e.client.ImageTag(ctx, client.ImageTagOptions{Source: id, Target: t}); err != nil {
			return fmt.Errorf("tag %s as %s in the %s: %w", id, t, e.where(), err)
		}
	}
	return nil
}
