package oci

import (
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// MediaTypeArtifactManifest is the artifact manifest of image-spec 1.1's
// release candidates, which oras-go still reads and writes: a manifest
// with a subject, its blobs in "blobs".
const MediaTypeArtifactManifest = "application/vnd.oci.artifact.manifest.v1+json"

// Kind is what a media type says a blob is. KindOf is the one place the
// project tells media types apart.
type Kind int

// The kinds of blob KindOf tells apart.
const (
	// KindBlob is anything else: an SBOM, a signature, an empty config.
	KindBlob Kind = iota
	// KindManifest is an image manifest, OCI or Docker.
	KindManifest
	// KindIndex is an image index, OCI or Docker (a manifest list).
	KindIndex
	// KindArtifact is an artifact manifest (MediaTypeArtifactManifest).
	KindArtifact
	// KindConfig is an image config, or a media type that says config.
	KindConfig
	// KindLayer is a filesystem layer, or a media type that says layer.
	KindLayer
)

// KindOf classifies mediaType. Manifests, indexes and artifact manifests
// are known exactly, since what is done with a blob depends on them;
// configs and layers by the words of their media type, as they are told
// apart only for people.
func KindOf(mediaType string) Kind {
	switch mediaType {
	case ocispec.MediaTypeImageManifest, DockerManifest:
		return KindManifest
	case ocispec.MediaTypeImageIndex, DockerIndex:
		return KindIndex
	case MediaTypeArtifactManifest:
		return KindArtifact
	}
	switch {
	case strings.Contains(mediaType, "config"), strings.Contains(mediaType, "container.image"):
		return KindConfig
	case strings.Contains(mediaType, "layer"), strings.Contains(mediaType, "rootfs"):
		return KindLayer
	}
	return KindBlob
}

// String names k for people: manifest (also for an artifact manifest),
// index, config, layer or blob.
func (k Kind) String() string {
	switch k {
	case KindManifest, KindArtifact:
		return "manifest"
	case KindIndex:
		return "index"
	case KindConfig:
		return "config"
	case KindLayer:
		return "layer"
	}
	return "blob"
}

// IsDocument reports whether k is a manifest or index of any kind: a JSON
// document that names other blobs, put to a registry as a manifest.
func (k Kind) IsDocument() bool {
	return k == KindManifest || k == KindIndex || k == KindArtifact
}

// IsIndex reports whether mediaType is an image index (OCI or Docker).
func IsIndex(mediaType string) bool {
	return KindOf(mediaType) == KindIndex
}

// IsManifest reports whether mediaType is an image manifest (OCI or
// Docker).
func IsManifest(mediaType string) bool {
	return KindOf(mediaType) == KindManifest
}

// CanHaveSubject reports whether documents of mediaType have a subject
// field, so may be referrers: OCI image manifests and indexes, and
// artifact manifests (Docker's types have none).
func CanHaveSubject(mediaType string) bool {
	switch mediaType {
	case ocispec.MediaTypeImageManifest, ocispec.MediaTypeImageIndex, MediaTypeArtifactManifest:
		return true
	}
	return false
}
