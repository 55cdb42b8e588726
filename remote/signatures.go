package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
	orasremote "oras.land/oras-go/v2/registry/remote"
)

// TaggedSignature is a legacy signature image in the source (cosign's
// image tagged sha256-HEX.sig), to push under Tag beside the image.
type TaggedSignature struct {
	Tag  string
	Desc ocispec.Descriptor
	// Keep reports whether a layer of the signature image the registry
	// holds under Tag already stays: another signer's signature. The
	// others are replaced by the source's layers.
	Keep func(ocispec.Descriptor) bool
}

// pushSignatures pushes each signature image of sigs, merged with what the
// registry tags so already: its kept layers, then the source's. It
// returns the tags it did not push when it fails.
func (c *Client) pushSignatures(ctx context.Context, repo *orasremote.Repository, src content.Fetcher, sigs []TaggedSignature) ([]string, error) {
	for i, s := range sigs {
		if err := c.pushSignature(ctx, repo, src, s); err != nil {
			var left []string
			for _, l := range sigs[i:] {
				left = append(left, l.Tag)
			}
			return left, fmt.Errorf("push signature %s to %s: %w", s.Tag, repoName(repo), err)
		}
	}
	return nil, nil
}

func (c *Client) pushSignature(ctx context.Context, repo *orasremote.Repository, src content.Fetcher, s TaggedSignature) error {
	ours, err := readManifest(ctx, src, s.Desc)
	if err != nil {
		return err
	}
	var layers []ocispec.Descriptor
	theirs, err := repo.Resolve(ctx, s.Tag)
	switch {
	case err == nil:
		m, err := readManifest(ctx, repo, theirs)
		if err != nil {
			return err
		}
		for _, l := range m.Layers {
			if s.Keep(l) && !hasLayer(ours.Layers, l) {
				layers = append(layers, l)
			}
		}
	case !errors.Is(err, errdef.ErrNotFound):
		return err
	}
	for _, l := range ours.Layers {
		if err := c.copyBlob(ctx, repo, src, l); err != nil {
			return err
		}
	}
	layers = append(layers, ours.Layers...)
	config, err := pushJSON(ctx, repo, ocispec.MediaTypeImageConfig, oci.StoredAsIs(layers), "")
	if err != nil {
		return err
	}
	_, err = pushJSON(ctx, repo, ocispec.MediaTypeImageManifest, oci.NewManifest(config, layers, nil), s.Tag)
	return err
}

// hasLayer reports whether layers holds l: the same payload with the same
// annotations. Signers of one image sign one payload, so only the
// signature annotation tells their layers apart.
func hasLayer(layers []ocispec.Descriptor, l ocispec.Descriptor) bool {
	return slices.ContainsFunc(layers, func(x ocispec.Descriptor) bool {
		return x.Digest == l.Digest && maps.Equal(x.Annotations, l.Annotations)
	})
}

// readManifest reads the image manifest desc from f, bounded and verified.
func readManifest(ctx context.Context, f content.Fetcher, desc ocispec.Descriptor) (ocispec.Manifest, error) {
	var m ocispec.Manifest
	if err := oci.ReadJSON(ctx, f, desc, oci.MaxManifestSize, &m); err != nil {
		return m, fmt.Errorf("read manifest %s: %w", ShortDigest(desc.Digest), err)
	}
	return m, nil
}

// copyBlob uploads the small blob desc from src unless repo has it.
func (c *Client) copyBlob(ctx context.Context, repo *orasremote.Repository, src content.Fetcher, desc ocispec.Descriptor) error {
	if ok, err := repo.Exists(ctx, desc); err != nil || ok {
		return err
	}
	data, err := oci.ReadBlob(ctx, src, desc, oci.MaxManifestSize)
	if err != nil {
		return err
	}
	return repo.Push(ctx, desc, bytes.NewReader(data))
}

// pushJSON pushes v as a blob (config) or, with a tag, a manifest.
func pushJSON(ctx context.Context, repo *orasremote.Repository, mediaType string, v any, tag string) (ocispec.Descriptor, error) {
	desc, data, err := oci.Encode(mediaType, v)
	if err != nil {
		return desc, err
	}
	if tag != "" {
		return desc, repo.PushReference(ctx, desc, bytes.NewReader(data), tag)
	}
	if ok, err := repo.Exists(ctx, desc); err != nil || ok {
		return desc, err
	}
	return desc, repo.Push(ctx, desc, bytes.NewReader(data))
}
