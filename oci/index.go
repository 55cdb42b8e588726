package oci

import (
	"maps"

	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// NewIndex returns an OCI image index of manifests, each of which must
// carry its platform, in the order given.
func NewIndex(manifests []ocispec.Descriptor, annotations map[string]string) ocispec.Index {
	out := make([]ocispec.Descriptor, len(manifests))
	for i, m := range manifests {
		out[i] = ocispec.Descriptor{
			MediaType:   m.MediaType,
			Digest:      m.Digest,
			Size:        m.Size,
			Platform:    m.Platform,
			Annotations: maps.Clone(m.Annotations),
		}
	}
	return ocispec.Index{
		Versioned:   specs.Versioned{SchemaVersion: 2},
		MediaType:   ocispec.MediaTypeImageIndex,
		Manifests:   out,
		Annotations: maps.Clone(annotations),
	}
}
