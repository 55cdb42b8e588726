package oci

import (
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestKindOf(t *testing.T) {
	tests := []struct {
		mediaType  string
		want       Kind
		name       string
		hasSubject bool
	}{
		{ocispec.MediaTypeImageManifest, KindManifest, "manifest", true},
		{DockerManifest, KindManifest, "manifest", false},
		{ocispec.MediaTypeImageIndex, KindIndex, "index", true},
		{DockerIndex, KindIndex, "index", false},
		{MediaTypeArtifactManifest, KindArtifact, "manifest", true},
		{ocispec.MediaTypeImageConfig, KindConfig, "config", false},
		{DockerConfig, KindConfig, "config", false},
		{ocispec.MediaTypeImageLayerGzip, KindLayer, "layer", false},
		{ocispec.MediaTypeImageLayer, KindLayer, "layer", false},
		{ocispec.MediaTypeImageLayerZstd, KindLayer, "layer", false},
		{DockerLayerGzip, KindLayer, "layer", false},
		{"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", KindLayer, "layer", false},
		{"application/vnd.in-toto+json", KindBlob, "blob", false},
		{"application/spdx+json", KindBlob, "blob", false},
		{ocispec.MediaTypeEmptyJSON, KindBlob, "blob", false},
		{"", KindBlob, "blob", false},
		// Known exactly: a blob whose media type merely mentions a
		// manifest or an index is not read as one.
		{"application/vnd.example.index+json", KindBlob, "blob", false},
		{"application/vnd.example.manifest.v1+json", KindBlob, "blob", false},
	}
	for _, tt := range tests {
		t.Run(tt.mediaType, func(t *testing.T) {
			k := KindOf(tt.mediaType)
			if k != tt.want || k.String() != tt.name {
				t.Errorf("KindOf = %d (%s), want %d (%s)", k, k, tt.want, tt.name)
			}
			doc := tt.want == KindManifest || tt.want == KindIndex || tt.want == KindArtifact
			if k.IsDocument() != doc {
				t.Errorf("IsDocument = %v, want %v", k.IsDocument(), doc)
			}
			if IsIndex(tt.mediaType) != (tt.want == KindIndex) || IsManifest(tt.mediaType) != (tt.want == KindManifest) {
				t.Errorf("IsIndex = %v, IsManifest = %v for kind %s", IsIndex(tt.mediaType), IsManifest(tt.mediaType), k)
			}
			if CanHaveSubject(tt.mediaType) != tt.hasSubject {
				t.Errorf("CanHaveSubject = %v, want %v", CanHaveSubject(tt.mediaType), tt.hasSubject)
			}
		})
	}
}
