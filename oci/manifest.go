package oci

import (
	"encoding/json"
	"fmt"
	"maps"

	digest "github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Docker's media types for the same kinds of content, which base images
// pulled from registries often carry.
const (
	DockerManifest  = "application/vnd.docker.distribution.manifest.v2+json"
	DockerIndex     = "application/vnd.docker.distribution.manifest.list.v2+json"
	DockerConfig    = "application/vnd.docker.container.image.v1+json"
	DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
)

// NewManifest returns an OCI image manifest for config and layers (base
// layers first). Docker layer media types are mapped to their OCI
// equivalents: the bytes are the same, so the digests stay valid.
func NewManifest(config ocispec.Descriptor, layers []ocispec.Descriptor, annotations map[string]string) ocispec.Manifest {
	out := make([]ocispec.Descriptor, len(layers))
	for i, l := range layers {
		out[i] = ocispec.Descriptor{
			MediaType:   OCILayerMediaType(l.MediaType),
			Digest:      l.Digest,
			Size:        l.Size,
			Annotations: maps.Clone(l.Annotations),
		}
	}
	return ocispec.Manifest{
		Versioned:   specs.Versioned{SchemaVersion: 2},
		MediaType:   ocispec.MediaTypeImageManifest,
		Config:      config,
		Layers:      out,
		Annotations: maps.Clone(annotations),
	}
}

// NewImageManifest returns the OCI image manifest of an image made of
// base's layers plus added, in order, with config; see NewManifest.
func NewImageManifest(config ocispec.Descriptor, base []ocispec.Descriptor, added []AddedLayer, annotations map[string]string) ocispec.Manifest {
	layers := make([]ocispec.Descriptor, 0, len(base)+len(added))
	layers = append(layers, base...)
	for _, l := range added {
		layers = append(layers, l.Descriptor)
	}
	return NewManifest(config, layers, annotations)
}

// OCILayerMediaType maps a Docker layer media type to the OCI one.
func OCILayerMediaType(mediaType string) string {
	if mediaType == DockerLayerGzip {
		return ocispec.MediaTypeImageLayerGzip
	}
	return mediaType
}

// Encode marshals v (a config, manifest or index) to JSON and returns its
// descriptor with mediaType. encoding/json writes struct fields in a fixed
// order and map keys sorted, so equal values give equal digests.
func Encode(mediaType string, v any) (ocispec.Descriptor, []byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return ocispec.Descriptor{}, nil, fmt.Errorf("encode %s: %w", mediaType, err)
	}
	return ocispec.Descriptor{
		MediaType: mediaType,
		Digest:    digest.FromBytes(data),
		Size:      int64(len(data)),
	}, data, nil
}

// StoredAsIs is the config of an image whose layers are stored as they
// are, not compressed, so that each diffID is its layer's digest: cosign's
// signature images, whose layers are signed payloads.
func StoredAsIs(layers []ocispec.Descriptor) ocispec.Image {
	diffIDs := make([]digest.Digest, len(layers))
	for i, l := range layers {
		diffIDs[i] = l.Digest
	}
	return ocispec.Image{RootFS: ocispec.RootFS{Type: "layers", DiffIDs: diffIDs}}
}
