package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
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

// PullBase makes the image ref names for platform present in store (an OCI
// layout, or any oras store): its manifest, config and layers, each
// verified against its digest before it is stored. Nothing is downloaded
// that store already has: for a tag only the tag is resolved, and for a
// reference by digest no request is made at all when the image is complete
// in a store that finds blobs by digest alone (see blobSizer; a layout
// does). A base left incomplete by an interrupted pull is completed.
func (c *Client) PullBase(ctx context.Context, ref string, platform ocispec.Platform, store content.Storage) (_ Base, err error) {
	ctx, done := c.bounded(ctx, "pull base image "+ref)
	defer func() { err = done(err) }()
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return Base{}, fmt.Errorf("invalid base image %q: %w", ref, err)
	}
	named = reference.TagNameOnly(named)
	if d, ok := named.(reference.Digested); ok {
		if desc, ok := localByDigest(ctx, store, d.Digest(), platform); ok {
			return Base{Name: named, Manifest: desc}, nil
		}
	}
	repo, err := c.Repository(ctx, named)
	if err != nil {
		return Base{}, err
	}
	root, err := repo.Resolve(ctx, refString(named))
	if err != nil {
		return Base{}, explain(fmt.Errorf("resolve base image %s: %w", reference.FamiliarString(named), err), repo)
	}
	if local, ok := localImage(ctx, store, root, platform); ok {
		return Base{Name: named, Manifest: local}, nil
	}
	manifest, err := c.pullPlatform(ctx, repo, root, platform, store)
	if err != nil {
		return Base{}, explain(fmt.Errorf("pull base image %s: %w", reference.FamiliarString(named), err), repo)
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

// pullPlatform picks platform's manifest from root (an index or a
// manifest) and copies its graph into store with oras.CopyGraph: the
// config and layers store lacks, then the manifest, last. An index is
// kept too (first, to select from), so a later build pinned to its digest
// needs no request.
func (c *Client) pullPlatform(ctx context.Context, repo *orasremote.Repository, root ocispec.Descriptor, platform ocispec.Platform, store content.Storage) (ocispec.Descriptor, error) {
	desc := root
	if oci.IsIndex(root.MediaType) {
		data, err := c.fetchSmall(ctx, repo, root)
		if err != nil {
			return ocispec.Descriptor{}, err
		}
		if err := pushSmall(ctx, store, root, data); err != nil {
			return ocispec.Descriptor{}, err
		}
		if desc, err = oci.SelectManifest(ctx, store, root, platform); err != nil {
			return ocispec.Descriptor{}, err
		}
	}
	data, err := c.fetchSmall(ctx, repo, desc)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	var m ocispec.Manifest
	if err := oci.Decode(desc, data, &m); err != nil || !oci.IsManifest(desc.MediaType) {
		return ocispec.Descriptor{}, fmt.Errorf("%s is not an image manifest (media type %q)", desc.Digest, desc.MediaType)
	}
	ev := c.events(Pull)
	src := &pullSource{Repository: repo, manifest: desc, data: data}
	dst := &pullTarget{Storage: store, root: desc.Digest}
	if err := oras.CopyGraph(ctx, src, dst, desc, c.pullOptions(repo, store, desc, ev)); err != nil {
		return ocispec.Descriptor{}, ourWords(err)
	}
	ev.finish(repoName(repo) + "@" + desc.Digest.String())
	return desc, nil
}

// pullOptions has CopyGraph download each config and layer itself (under
// the blob budget, reading the registry again when bytes arrive cut off or
// damaged), and report the steps as events. The manifest, already fetched,
// is stored by CopyGraph from memory once its blobs are in.
func (c *Client) pullOptions(repo *orasremote.Repository, store content.Storage, manifest ocispec.Descriptor, ev *events) oras.CopyGraphOptions {
	return oras.CopyGraphOptions{
		PreCopy: func(ctx context.Context, d ocispec.Descriptor) error {
			if d.Digest == manifest.Digest {
				return nil
			}
			if err := c.download(ctx, repo, store, d, ev); err != nil {
				return err
			}
			return oras.SkipNode // stored: CopyGraph has nothing left to do
		},
		PostCopy: func(_ context.Context, d ocispec.Descriptor) error {
			ev.emit(Event{Kind: BlobDone, Blob: d, Bytes: d.Size})
			return nil
		},
		OnCopySkipped: func(_ context.Context, d ocispec.Descriptor) error {
			ev.emit(Event{Kind: BlobSkipped, Blob: d})
			return nil
		},
	}
}

// download copies desc from repo into store, verified on the way in.
func (c *Client) download(ctx context.Context, repo *orasremote.Repository, store content.Storage, desc ocispec.Descriptor, ev *events) error {
	err := c.retryBlob(ctx, "download", desc, func(int) error {
		rc, err := repo.Fetch(ctx, desc)
		if err != nil {
			return err
		}
		defer rc.Close()
		err = store.Push(ctx, desc, newCountingReader(rc, desc, ev))
		if errors.Is(err, errdef.ErrAlreadyExists) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("download %s from %s: %w", blobName(desc), repoName(repo), err)
	}
	ev.emit(Event{Kind: BlobDone, Blob: desc, Bytes: desc.Size})
	return nil
}

// repoName is REGISTRY/REPO.
func repoName(repo *orasremote.Repository) string {
	return repo.Reference.Registry + "/" + repo.Reference.Repository
}

// pullSource is the registry side of a pull: it serves the platform
// manifest, fetched already, from memory.
type pullSource struct {
	*orasremote.Repository
	manifest ocispec.Descriptor
	data     []byte
}

// Fetch opens desc.
func (s *pullSource) Fetch(ctx context.Context, desc ocispec.Descriptor) (io.ReadCloser, error) {
	if desc.Digest == s.manifest.Digest {
		return io.NopCloser(bytes.NewReader(s.data)), nil
	}
	rc, err := s.Repository.Fetch(ctx, desc)
	if err != nil {
		return nil, fmt.Errorf("download %s from %s: %w", blobName(desc), repoName(s.Repository), err)
	}
	return rc, nil
}

// pullTarget is the store side of a pull. It never reports the manifest
// as there, so CopyGraph checks its config and layers one by one: a pull
// cut short may have stored some and not others, and the manifest, though
// stored last, may be there from another build.
type pullTarget struct {
	content.Storage
	root digest.Digest
}

// Exists reports whether the store has desc.
func (t *pullTarget) Exists(ctx context.Context, desc ocispec.Descriptor) (bool, error) {
	if desc.Digest == t.root {
		return false, nil
	}
	found, err := t.Storage.Exists(ctx, desc)
	if err != nil {
		return false, fmt.Errorf("check %s in the store: %w", blobName(desc), err)
	}
	return found, nil
}

// fetchSmall fetches a manifest or index, refusing oversized ones before
// reading, and verifies it; cut or damaged bytes are fetched again.
func (c *Client) fetchSmall(ctx context.Context, repo *orasremote.Repository, desc ocispec.Descriptor) ([]byte, error) {
	var data []byte
	err := c.retryBlob(ctx, "download", desc, func(int) error {
		var err error
		data, err = oci.ReadBlob(ctx, repo, desc, oci.MaxManifestSize)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("download %s from %s: %w", blobName(desc), repoName(repo), err)
	}
	return data, nil
}

func pushSmall(ctx context.Context, store content.Storage, desc ocispec.Descriptor, data []byte) error {
	err := store.Push(ctx, desc, bytes.NewReader(data))
	if err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
		return err
	}
	return nil
}

// blobSizer is a store that finds a blob's size from its digest alone, as
// a layout does: then a base pinned by digest and complete in the store
// costs no request at all.
type blobSizer interface {
	Size(dgst digest.Digest) (int64, error)
}

// localByDigest finds the image dgst names for platform in store without
// any request, when the store can tell dgst's size.
func localByDigest(ctx context.Context, store content.Storage, dgst digest.Digest, platform ocispec.Platform) (ocispec.Descriptor, bool) {
	sizer, ok := store.(blobSizer)
	if !ok {
		return ocispec.Descriptor{}, false
	}
	size, err := sizer.Size(dgst)
	if err != nil {
		return ocispec.Descriptor{}, false
	}
	return localImage(ctx, store, ocispec.Descriptor{Digest: dgst, Size: size}, platform)
}

// localImage finds, without any request, the manifest for platform that
// desc names in store (a manifest, or an index that lists one), and
// reports whether its config and layers are all there.
func localImage(ctx context.Context, store content.Storage, desc ocispec.Descriptor, platform ocispec.Platform) (ocispec.Descriptor, bool) {
	desc, data, ok := readLocal(ctx, store, desc)
	if !ok {
		return ocispec.Descriptor{}, false
	}
	if oci.IsIndex(desc.MediaType) {
		m, err := oci.SelectManifest(ctx, store, desc, platform)
		if err != nil {
			return ocispec.Descriptor{}, false
		}
		if desc, data, ok = readLocal(ctx, store, m); !ok {
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

// readLocal reads a manifest or index from store, verified, and fills in
// its media type from its content when desc lacks one.
func readLocal(ctx context.Context, store content.Storage, desc ocispec.Descriptor) (ocispec.Descriptor, []byte, bool) {
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
	desc = ocispec.Descriptor{MediaType: probe.MediaType, Digest: desc.Digest, Size: desc.Size}
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
