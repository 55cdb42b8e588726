package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/internal/human"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"
	"oras.land/oras-go/v2/errdef"
	orasremote "oras.land/oras-go/v2/registry/remote"
)

// Base is a base image pulled into a layout.
type Base struct {
	// Name is the normalised reference it was pulled by, e.g.
	// gcr.io/distroless/static:nonroot.
	Name reference.Named
	// Manifest is the platform's image manifest, now in the layout.
	Manifest ocispec.Descriptor
}

// PullBase makes the image ref names for platform present in store: its
// manifest, config and layers, each verified against its digest. Nothing
// is downloaded that store already has: for a reference by digest no
// request is made at all when the image is complete in store, and for a tag
// only the tag is resolved.
func (c *Client) PullBase(ctx context.Context, ref string, platform ocispec.Platform, store *layout.Layout) (_ Base, err error) {
	ctx, done := c.bounded(ctx, "pull base image "+ref)
	defer func() { err = done(err) }()
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return Base{}, fmt.Errorf("invalid base image %q: %w", ref, err)
	}
	named = reference.TagNameOnly(named)
	if d, ok := named.(reference.Digested); ok {
		if desc, ok := localImage(ctx, store, d.Digest(), platform); ok {
			return Base{Name: named, Manifest: desc}, nil
		}
	}
	repo, err := c.Repository(ctx, named)
	if err != nil {
		return Base{}, err
	}
	desc, err := repo.Resolve(ctx, refString(named))
	if err != nil {
		return Base{}, explain(fmt.Errorf("resolve base image %s: %w", reference.FamiliarString(named), err), repo)
	}
	if local, ok := localImage(ctx, store, desc.Digest, platform); ok {
		return Base{Name: named, Manifest: local}, nil
	}
	manifest, err := c.pullPlatform(ctx, repo, desc, platform, store)
	if err != nil {
		return Base{}, fmt.Errorf("pull base image %s: %w", reference.FamiliarString(named), err)
	}
	return Base{Name: named, Manifest: manifest}, nil
}

// refString is the tag or digest to resolve in the repository.
func refString(named reference.Named) string {
	if d, ok := named.(reference.Digested); ok {
		return d.Digest().String()
	}
	return named.(reference.Tagged).Tag()
}

// pullPlatform copies desc (an index or a manifest) into store, then the
// platform's manifest and every blob of it that store lacks, so a base
// left incomplete by an interrupted pull is completed. The manifest is
// stored last.
func (c *Client) pullPlatform(ctx context.Context, repo *orasremote.Repository, desc ocispec.Descriptor, platform ocispec.Platform, store *layout.Layout) (ocispec.Descriptor, error) {
	if oci.IsIndex(desc.MediaType) {
		data, err := fetchSmall(ctx, repo, desc)
		if err != nil {
			return ocispec.Descriptor{}, explain(err, repo)
		}
		// Keep the index too, so a later build pinned to its digest needs
		// no request at all.
		if err := pushSmall(ctx, store, desc, data); err != nil {
			return ocispec.Descriptor{}, err
		}
		if desc, err = oci.SelectManifest(ctx, store, desc, platform); err != nil {
			return ocispec.Descriptor{}, err
		}
	}
	data, err := fetchSmall(ctx, repo, desc)
	if err != nil {
		return ocispec.Descriptor{}, explain(err, repo)
	}
	var m ocispec.Manifest
	if err := oci.Decode(desc, data, &m); err != nil || !oci.IsManifest(desc.MediaType) {
		return ocispec.Descriptor{}, fmt.Errorf("%s is not an image manifest (media type %q)", desc.Digest, desc.MediaType)
	}
	if err := c.pullBlobs(ctx, repo, store, append([]ocispec.Descriptor{m.Config}, m.Layers...)); err != nil {
		return ocispec.Descriptor{}, explain(err, repo)
	}
	if err := pushSmall(ctx, store, desc, data); err != nil {
		return ocispec.Descriptor{}, err
	}
	return desc, nil
}

// pullBlobs copies the blobs store lacks, three at a time, each verified
// against its digest on the way in and retried on its own.
func (c *Client) pullBlobs(ctx context.Context, repo *orasremote.Repository, store *layout.Layout, blobs []ocispec.Descriptor) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(3)
	for _, blob := range blobs {
		g.Go(func() error {
			if ok, err := store.Exists(ctx, blob); err != nil || ok {
				return err
			}
			err := c.withAttempts(ctx, func() error { return pullBlob(ctx, repo, store, blob) })
			if err == nil {
				fmt.Fprintf(c.opts.Log, "pulled %s %s (%s)\n", kind(blob.MediaType), short(blob.Digest), human.Bytes(blob.Size))
			}
			return err
		})
	}
	return g.Wait()
}

func pullBlob(ctx context.Context, repo *orasremote.Repository, store *layout.Layout, blob ocispec.Descriptor) error {
	rc, err := repo.Fetch(ctx, blob)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", blob.Digest, err)
	}
	defer rc.Close()
	if err := store.Push(ctx, blob, rc); err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
		return err
	}
	return nil
}

// fetchSmall fetches a manifest or index, refusing oversized ones before
// reading, and verifies it.
func fetchSmall(ctx context.Context, repo *orasremote.Repository, desc ocispec.Descriptor) ([]byte, error) {
	return oci.ReadBlob(ctx, repo, desc, oci.MaxManifestSize)
}

func pushSmall(ctx context.Context, store *layout.Layout, desc ocispec.Descriptor, data []byte) error {
	err := store.Push(ctx, desc, bytes.NewReader(data))
	if err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
		return err
	}
	return nil
}

// localImage finds, without any request, the manifest for platform that
// dgst names in store (a manifest, or an index that lists one), and reports
// whether its config and layers are all there.
func localImage(ctx context.Context, store *layout.Layout, dgst digest.Digest, platform ocispec.Platform) (ocispec.Descriptor, bool) {
	desc, data, ok := readLocal(ctx, store, dgst)
	if !ok {
		return ocispec.Descriptor{}, false
	}
	if oci.IsIndex(desc.MediaType) {
		m, err := oci.SelectManifest(ctx, store, desc, platform)
		if err != nil {
			return ocispec.Descriptor{}, false
		}
		if desc, data, ok = readLocal(ctx, store, m.Digest); !ok {
			return ocispec.Descriptor{}, false
		}
	}
	var m ocispec.Manifest
	if oci.Decode(desc, data, &m) != nil || !oci.IsManifest(desc.MediaType) {
		return ocispec.Descriptor{}, false
	}
	for _, d := range append([]ocispec.Descriptor{m.Config}, m.Layers...) {
		if ok, err := store.Exists(ctx, d); err != nil || !ok {
			return ocispec.Descriptor{}, false
		}
	}
	return desc, true
}

// readLocal reads a manifest or index from store by digest alone.
func readLocal(ctx context.Context, store *layout.Layout, dgst digest.Digest) (ocispec.Descriptor, []byte, bool) {
	size, err := store.Size(dgst)
	if err != nil || size > oci.MaxManifestSize {
		return ocispec.Descriptor{}, nil, false
	}
	desc := ocispec.Descriptor{Digest: dgst, Size: size}
	data, err := oci.ReadBlob(ctx, store, desc, oci.MaxManifestSize)
	if err != nil {
		return ocispec.Descriptor{}, nil, false
	}
	var probe struct {
		MediaType string          `json:"mediaType"`
		Manifests json.RawMessage `json:"manifests"`
		Config    json.RawMessage `json:"config"`
	}
	if oci.Decode(desc, data, &probe) != nil {
		return ocispec.Descriptor{}, nil, false
	}
	desc.MediaType = probe.MediaType
	switch {
	case desc.MediaType != "":
	case probe.Manifests != nil:
		desc.MediaType = ocispec.MediaTypeImageIndex
	case probe.Config != nil:
		desc.MediaType = ocispec.MediaTypeImageManifest
	}
	return desc, data, true
}

// BasePlatforms lists the platforms the image ref offers: those of an
// index's entries (attestations skipped), or a single image's own.
func (c *Client) BasePlatforms(ctx context.Context, ref string) (_ []ocispec.Platform, err error) {
	ctx, done := c.bounded(ctx, "look up base image "+ref)
	defer func() { err = done(err) }()
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return nil, fmt.Errorf("invalid base image %q: %w", ref, err)
	}
	named = reference.TagNameOnly(named)
	repo, err := c.Repository(ctx, named)
	if err != nil {
		return nil, err
	}
	desc, err := repo.Resolve(ctx, refString(named))
	if err != nil {
		return nil, explain(fmt.Errorf("resolve base image %s: %w", reference.FamiliarString(named), err), repo)
	}
	platforms, err := oci.Platforms(ctx, repo, desc)
	if err != nil {
		return nil, explain(err, repo)
	}
	return platforms, nil
}
