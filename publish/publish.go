// Package publish takes a built image where it goes besides its layout:
// to a registry (through a Pusher, which remote implements), into a
// container engine (through an Engine, which the command implements) and
// a docker archive, its documents into a directory, and its reference to
// stdout and a file. It holds the build's lease on the layout until it is
// done, so that nothing it reads is freed meanwhile. Build is the whole of
// one package's way: prepare, build, publish.
package publish

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/remote"
)

// ErrNotHeld means a Result holds no lease on its layout (it was not made
// by builder.Plan.Run, or was released): it cannot be published safely.
var ErrNotHeld = errors.New("the build result holds no lease on its layout")

// ErrNoName means a destination needs the image's name and has none: a
// push without Result.Image, a load or tarball without Destinations.Name.
var ErrNoName = errors.New("no image name to publish under")

// Destinations says where a built image goes besides its layout. The zero
// value publishes nothing and prints nothing.
type Destinations struct {
	// Push, when set, pushes the image to the Result's name with its tags
	// and referrers; the printed reference is then the pushed one.
	Push Pusher
	// Engine, when set, loads the image into a container engine (--load);
	// unless the image was pushed, the printed reference is then the
	// image ID the engine knows it by.
	Engine Engine
	// Name names the image in the engine and in the tarball, one name a
	// tag of the Result.
	Name reference.Named
	// Files are the paths written for the user (--tarball, --sbom-dir,
	// --image-refs), each nil when not wanted.
	Files Files
	// Stdout, when set, gets the reference as its one line.
	Stdout io.Writer
	// Log, when set, hears what was published: the referrers pushed, the
	// platform taken from an index.
	Log io.Writer
}

// Planned decides where a planned build goes, once its layout, binary and
// image name are known and before cargo runs: it may refuse the build
// (an output that must not be written, nowhere to push).
type Planned func(plan *builder.Plan) (Destinations, error)

// PlannedAt is Planned for BuildAll: i is the index of plan's request.
type PlannedAt func(i int, plan *builder.Plan) (Destinations, error)

// Build prepares req with b, asks where where the image goes, runs the
// build and publishes its result: the one way of a package from request
// to reference. It returns the reference Publish printed. Builds of
// different packages of one workspace may run at once with one b.
func Build(ctx context.Context, b *builder.Builder, req builder.Request, where Planned) (string, error) {
	plan, err := b.Prepare(ctx, req)
	if err != nil {
		return "", err
	}
	d, err := where(plan)
	if err != nil {
		return "", err
	}
	res, err := plan.Run(ctx)
	if err != nil {
		return "", err
	}
	return Publish(ctx, res, d)
}

// Publish sends res where d says, in this order: the documents to
// --sbom-dir, the push, the tarball, the load; then it writes the
// reference to --image-refs and stdout, and returns it. Every step reads
// the layout through res's lease, which Publish releases when it returns.
// The reference is the pushed one, else the engine's image ID, else the
// layout's (oci:DIR:TAG).
func Publish(ctx context.Context, res builder.Result, d Destinations) (string, error) {
	defer res.Release()
	store := res.Layout()
	if store == nil {
		return "", fmt.Errorf("publish %s: %w", res.LayoutDir, ErrNotHeld)
	}
	if err := writeDocuments(ctx, d.Files, store, res); err != nil {
		return "", err
	}
	ref := layout.FormatRef(res.LayoutDir, res.Tags[0])
	if d.Push != nil {
		if res.Image == nil {
			return "", fmt.Errorf("push %s: %w", res.LayoutDir, ErrNoName)
		}
		var err error
		opts := remote.PushOptions{Tags: res.Tags, MountFrom: res.Bases}
		if ref, err = Push(ctx, d.Push, d.Log, store, res.Root, res.Image, opts); err != nil {
			return "", err
		}
	}
	id, err := export(ctx, d, store, res)
	if err != nil {
		return "", err
	}
	if id != "" && d.Push == nil {
		// The image ID names exactly this build; a tag can move.
		ref = id
	}
	return ref, printRef(ctx, d, ref)
}

// printRef writes the one line to stdout, and to --image-refs when given
// (first, so that a failure there leaves stdout empty).
func printRef(ctx context.Context, d Destinations, ref string) error {
	if err := d.Files.writeImageRefs(ctx, ref); err != nil {
		return err
	}
	if d.Stdout == nil {
		return nil
	}
	_, err := fmt.Fprintln(d.Stdout, ref)
	return err
}
