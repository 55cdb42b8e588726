package main

import (
	"context"
	"fmt"
	"io"

	"github.com/docker-krust/docker-krust/internal/dockerarchive"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/docker-krust/docker-krust/publish"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// loadImage loads the engine's platform's image into the engine as a
// docker archive, unless the engine has it, and tags it. It returns the
// image ID, sha256:CONFIG_DIGEST, which names exactly this build. Every
// call to the engine is bounded by eng's limits.
func loadImage(ctx context.Context, env *environment, eng *engine, store *layout.Layout, desc ocispec.Descriptor, tags []string) (string, error) {
	ctx, cancel := eng.begin(ctx)
	defer cancel()
	id, err := sendImage(ctx, env, eng, store, desc, tags)
	if stalled(err) {
		return "", fmt.Errorf("--load: %w (the layout is kept at %s)", err, store.Dir())
	}
	return id, err
}

func sendImage(ctx context.Context, env *environment, eng *engine, store *layout.Layout, desc ocispec.Descriptor, tags []string) (string, error) {
	v, err := eng.version(ctx)
	if stalled(err) {
		return "", err
	}
	if err != nil {
		return "", fmt.Errorf("--load: %w at %s (Docker context %q): %v; start the engine or choose another with DOCKER_HOST or --context (the layout is kept at %s)",
			errNoEngine, eng.host, eng.context, err, store.Dir())
	}
	p := ocispec.Platform{OS: v.Os, Architecture: v.Arch}
	img, err := publish.ChooseImage(ctx, env.stderr, store, desc, p, "the Docker Engine", tags)
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
	containerd, err := eng.containerdStore(ctx)
	if err != nil {
		return "", err
	}
	if containerd {
		if oci.IsIndex(desc.MediaType) {
			img.Index = &desc
			fmt.Fprintf(env.stderr, "the %s uses the containerd image store: loading the whole index\n", eng.where())
		}
		id = desc.Digest.String()
	}
	have, found, err := eng.inspect(ctx, id)
	if err != nil {
		return "", err
	}
	if found {
		fmt.Fprintf(env.stderr, "the %s has image %s already: not sent again\n", eng.where(), id)
		return id, eng.tagMissing(ctx, id, have, tags)
	}
	err = eng.loadArchive(ctx, func(w io.Writer) error {
		_, err := dockerarchive.Write(ctx, w, store, img)
		return err
	})
	return id, err
}

// version asks the engine for its version and platform.
func (e *engine) version(ctx context.Context) (client.ServerVersionResult, error) {
	var v client.ServerVersionResult
	err := e.call(ctx, "the version request (GET /version)", func(ctx context.Context, _ *watchdog) error {
		var err error
		v, err = e.client.ServerVersion(ctx, client.ServerVersionOptions{})
		return err
	})
	return v, err
}

// inspect returns the tags of image id if the engine has it. Any answer
// but the image's is taken as "not there", so that the image is loaded;
// only an engine that does not answer in time is an error.
func (e *engine) inspect(ctx context.Context, id string) (tags []string, found bool, err error) {
	err = e.call(ctx, "the image inspection (GET /images/"+id+"/json)", func(ctx context.Context, _ *watchdog) error {
		have, err := e.client.ImageInspect(ctx, id)
		tags, found = have.RepoTags, err == nil
		return err
	})
	if found || !stalled(err) && ctx.Err() == nil {
		return tags, found, nil
	}
	return nil, false, err
}

// containerdSnapshotter is the driver-type the engine reports in
// DriverStatus when it keeps images in containerd (Docker 24+ option,
// default in 29), not in its classic image store.
const containerdSnapshotter = "io.containerd.snapshotter.v1"

// containerdStore asks the engine whether it uses the containerd image
// store; an engine that answers with an error is taken as classic, which
// loads the docker-archive form every engine reads. Only an engine that
// does not answer in time is an error.
func (e *engine) containerdStore(ctx context.Context) (bool, error) {
	var containerd bool
	err := e.call(ctx, "the info request (GET /info)", func(ctx context.Context, _ *watchdog) error {
		info, err := e.client.Info(ctx, client.InfoOptions{})
		containerd = err == nil && usesContainerd(info.Info.DriverStatus)
		return err
	})
	if stalled(err) || ctx.Err() != nil {
		return false, err
	}
	return containerd, nil
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
		err := e.call(ctx, "the tag request (POST /images/"+id+"/tag)", func(ctx context.Context, _ *watchdog) error {
			_, err := e.client.ImageTag(ctx, client.ImageTagOptions{Source: id, Target: t})
			return err
		})
		if err != nil && !stalled(err) {
			return fmt.Errorf("tag %s as %s in the %s: %w", id, t, e.where(), err)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
