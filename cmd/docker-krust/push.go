package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/internal/scrub"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/publish"
	"github.com/docker-krust/docker-krust/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

func newPushCommand(env *environment) *cobra.Command {
	var f registryFlags
	cmd := &cobra.Command{
		Use:   "push SOURCE REFERENCE",
		Short: "Push an image or index from an OCI layout to a registry",
		Long: "Push the image SOURCE names to REFERENCE (REGISTRY/REPO[:TAG], tag default latest)\n" +
			"and print it by digest. SOURCE is what `build --no-push` prints (oci:DIR:TAG),\n" +
			"oci:DIR (a layout holding one image), or a layout directory; layouts written by\n" +
			"skopeo or crane work too. The image's referrers in the layout (its SBOM and\n" +
			"provenance) go with it. Blobs the registry has are not uploaded again.",
		Example: strings.ReplaceAll(`  FACE push "$(FACE build --no-push)" registry.example.com/team/app:v1`, "FACE", env.face),
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := env.krustConfig()
			if err != nil {
				return err
			}
			target, tag, err := parseTarget(args[1])
			if err != nil {
				return err
			}
			store, desc, release, err := openSource(cmd, args[0])
			if err != nil {
				return err
			}
			defer release()
			client, err := f.client(env, cfg)
			if err != nil {
				return err
			}
			pushed, err := publish.Push(cmd.Context(), client, env.stderr, store, desc, target, remote.PushOptions{Tags: []string{tag}})
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(env.stdout, pushed)
			return err
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// openSource opens the layout SOURCE names, leases it for the push (see
// leaseForPush) and finds its image. Call release when the push is done.
func openSource(cmd *cobra.Command, source string) (_ *layout.Layout, _ ocispec.Descriptor, release func(), err error) {
	dir, tag, ok := layout.ParseRef(source)
	if !ok {
		dir = source
	}
	store, err := openLayout(dir)
	if err != nil {
		return nil, ocispec.Descriptor{}, nil, err
	}
	if release, err = leaseForPush(cmd.Context(), store); err != nil {
		return nil, ocispec.Descriptor{}, nil, err
	}
	desc, err := store.FindImage(cmd.Context(), tag)
	if err != nil {
		release()
		return nil, ocispec.Descriptor{}, nil, err
	}
	return store, desc, release, nil
}

func openLayout(dir string) (*layout.Layout, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("OCI layout %s: %w", abs, err)
	}
	return layout.Open(abs)
}

// parseTarget reads REGISTRY/REPO[:TAG]; a digest is refused because the
// digest is the image's own.
func parseTarget(s string) (reference.Named, string, error) {
	if clean := scrub.Reference(s); clean != s {
		return nil, "", fmt.Errorf("invalid reference %q (user information removed): a reference holds no user name or password; log in with docker login instead", clean)
	}
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return nil, "", fmt.Errorf("invalid reference %q: %w (want REGISTRY/REPO[:TAG], e.g. localhost:5000/team/app:v1)", s, err)
	}
	if _, ok := named.(reference.Digested); ok {
		return nil, "", fmt.Errorf("invalid reference %q: push to a tag, not a digest; the digest is the image's own", s)
	}
	tag := "latest"
	if t, ok := named.(reference.Tagged); ok {
		tag = t.Tag()
	}
	return reference.TrimNamed(named), tag, nil
}

// leaseForPush takes a lease on the layout a push reads, as builds do, so
// that gc waits for the push: the image's tag may move to a newer build
// while it is being pushed, and its blobs must stay until the push ends.
func leaseForPush(ctx context.Context, store *layout.Layout) (release func(), err error) {
	lease, err := store.Lease(ctx)
	if err != nil {
		return nil, fmt.Errorf("OCI layout %s: %w", store.Dir(), err)
	}
	return lease.Release, nil
}
