package oci

import (
	"maps"
	"slices"

	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// NewReferrer returns an image manifest of artifactType whose one layer is
// doc and whose subject is subject, with the empty config
// (ocispec.DescriptorEmptyJSON, media type application/vnd.oci.empty.v1+json)
// and annotations: an OCI 1.1 referrer, which registries with the
// referrers API and `oras discover` list for subject. It suits any
// document about an image: an SBOM, a provenance statement, a signature.
//
// subject is reduced to its media type, digest and size, as the referrers
// API keys it; doc keeps its annotations, among which the caller sets
// ocispec.AnnotationTitle to a file name, so that `oras pull` writes the
// document to a file of that name. The empty config's blob ("{}") must be
// stored and pushed with the manifest, as any config is.
func NewReferrer(artifactType string, subject ocispec.Descriptor, doc ocispec.Descriptor, annotations map[string]string) ocispec.Manifest {
	plain := ocispec.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size}
	config := ocispec.DescriptorEmptyJSON
	config.Data = slices.Clone(config.Data) // not the package variable's array
	return ocispec.Manifest{
		Versioned:    specs.Versioned{SchemaVersion: 2},
		MediaType:    ocispec.MediaTypeImageManifest,
		ArtifactType: artifactType,
		Config:       config,
		Layers: []ocispec.Descriptor{{
			MediaType:   doc.MediaType,
			Digest:      doc.Digest,
			Size:        doc.Size,
			Annotations: maps.Clone(doc.Annotations),
		}},
		Subject:     &plain,
		Annotations: maps.Clone(annotations),
	}
}
