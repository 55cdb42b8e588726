package oci

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestNewManifest(t *testing.T) {
	config := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: ourDiffID, Size: 123}
	tests := []struct {
		name        string
		layers      []ocispec.Descriptor
		annotations map[string]string
		wantTypes   []string
	}{
		{
			name:      "no layers",
			wantTypes: []string{},
		},
		{
			name: "docker layer mapped to OCI gzip",
			layers: []ocispec.Descriptor{
				{MediaType: DockerLayerGzip, Digest: baseDiffID1, Size: 10},
				{MediaType: ocispec.MediaTypeImageLayerGzip, Digest: baseDiffID2, Size: 20},
			},
			wantTypes: []string{ocispec.MediaTypeImageLayerGzip, ocispec.MediaTypeImageLayerGzip},
		},
		{
			name: "other media types kept",
			layers: []ocispec.Descriptor{
				{MediaType: ocispec.MediaTypeImageLayerZstd, Digest: baseDiffID1, Size: 10},
				{MediaType: ocispec.MediaTypeImageLayer, Digest: baseDiffID2, Size: 20},
			},
			wantTypes: []string{ocispec.MediaTypeImageLayerZstd, ocispec.MediaTypeImageLayer},
		},
		{
			name:        "annotations",
			layers:      []ocispec.Descriptor{{MediaType: DockerLayerGzip, Digest: baseDiffID1, Size: 10, Annotations: map[string]string{"layer": "1"}}},
			annotations: map[string]string{ocispec.AnnotationSource: "https://example.com/repo", ocispec.AnnotationRevision: "abc"},
			wantTypes:   []string{ocispec.MediaTypeImageLayerGzip},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := NewManifest(config, tc.layers, tc.annotations)
			if m.SchemaVersion != 2 {
				t.Errorf("SchemaVersion = %d, want 2", m.SchemaVersion)
			}
			if m.MediaType != ocispec.MediaTypeImageManifest {
				t.Errorf("MediaType = %q, want %q", m.MediaType, ocispec.MediaTypeImageManifest)
			}
			if m.Config.Digest != config.Digest || m.Config.Size != config.Size || m.Config.MediaType != config.MediaType {
				t.Errorf("Config = %+v, want %+v", m.Config, config)
			}
			if len(m.Layers) != len(tc.wantTypes) {
				t.Fatalf("%d layers, want %d", len(m.Layers), len(tc.wantTypes))
			}
			for i, l := range m.Layers {
				if l.MediaType != tc.wantTypes[i] {
					t.Errorf("layer %d media type = %q, want %q", i, l.MediaType, tc.wantTypes[i])
				}
				if l.Digest != tc.layers[i].Digest || l.Size != tc.layers[i].Size {
					t.Errorf("layer %d = %s/%d, want %s/%d", i, l.Digest, l.Size, tc.layers[i].Digest, tc.layers[i].Size)
				}
				if len(l.Annotations) != len(tc.layers[i].Annotations) {
					t.Errorf("layer %d annotations = %v, want %v", i, l.Annotations, tc.layers[i].Annotations)
				}
			}
			if len(m.Annotations) != len(tc.annotations) {
				t.Fatalf("Annotations = %v, want %v", m.Annotations, tc.annotations)
			}
			for k, v := range tc.annotations {
				if m.Annotations[k] != v {
					t.Errorf("Annotations[%q] = %q, want %q", k, m.Annotations[k], v)
				}
			}

			// Changing the inputs afterwards must not change the manifest.
			before, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(before, []byte(`"layers":[`)) {
				t.Errorf("manifest JSON %s has no layers array", before)
			}
			for k := range tc.annotations {
				tc.annotations[k] = "changed"
			}
			if tc.annotations != nil {
				tc.annotations["added"] = "x"
			}
			for i := range tc.layers {
				if tc.layers[i].Annotations != nil {
					tc.layers[i].Annotations["added"] = "x"
				}
				tc.layers[i].MediaType = "changed"
				tc.layers[i].Size = -1
			}
			after, _ := json.Marshal(m)
			if !bytes.Equal(before, after) {
				t.Errorf("manifest changed with its inputs:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestOCILayerMediaType(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{DockerLayerGzip, ocispec.MediaTypeImageLayerGzip},
		{ocispec.MediaTypeImageLayerGzip, ocispec.MediaTypeImageLayerGzip},
		{ocispec.MediaTypeImageLayer, ocispec.MediaTypeImageLayer},
		{"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := OCILayerMediaType(tc.in); got != tc.want {
				t.Errorf("OCILayerMediaType(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	manifest := func() any {
		return NewManifest(
			ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: ourDiffID, Size: 1},
			[]ocispec.Descriptor{{MediaType: DockerLayerGzip, Digest: baseDiffID1, Size: 2}},
			map[string]string{"b": "2", "a": "1", "c": "3"},
		)
	}
	config := func() any {
		return NewConfig(baseImage(), ConfigOptions{Layers: added(ourDiffID, ""), Created: layerTime})
	}
	tests := []struct {
		name      string
		mediaType string
		value     func() any
		contains  []string
	}{
		{"manifest", ocispec.MediaTypeImageManifest, manifest, []string{`"schemaVersion":2`, `"mediaType":"` + ocispec.MediaTypeImageManifest + `"`, `"annotations":{"a":"1","b":"2","c":"3"}`}},
		{"config", ocispec.MediaTypeImageConfig, config, []string{`"diff_ids":[`, `"created":"2024-05-06T07:08:09Z"`}},
		{"map order", "application/json", func() any {
			m := map[string]int{}
			for _, k := range []string{"z", "y", "x", "w", "v", "u", "t"} {
				m[k] = len(k)
			}
			return m
		}, []string{`{"t":1,"u":1,"v":1,"w":1,"x":1,"y":1,"z":1}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			desc, data, err := Encode(tc.mediaType, tc.value())
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if desc.MediaType != tc.mediaType {
				t.Errorf("MediaType = %q, want %q", desc.MediaType, tc.mediaType)
			}
			if want := sha256Digest(data); desc.Digest != want {
				t.Errorf("Digest = %s, want sha256 of the returned bytes %s", desc.Digest, want)
			}
			if desc.Digest.Algorithm() != digest.SHA256 {
				t.Errorf("digest algorithm %s, want sha256", desc.Digest.Algorithm())
			}
			if desc.Size != int64(len(data)) {
				t.Errorf("Size = %d, want %d", desc.Size, len(data))
			}
			for _, s := range tc.contains {
				if !bytes.Contains(data, []byte(s)) {
					t.Errorf("%s does not contain %s", data, s)
				}
			}
			for i := 0; i < 5; i++ {
				desc2, data2, err := Encode(tc.mediaType, tc.value())
				if err != nil {
					t.Fatalf("Encode again: %v", err)
				}
				if !bytes.Equal(data, data2) || desc2.Digest != desc.Digest || desc2.Size != desc.Size {
					t.Fatalf("second encoding differs:\n%s\n%s", data, data2)
				}
			}
		})
	}
}

func TestEncodeError(t *testing.T) {
	tests := []struct {
		name  string
		value any
	}{
		{"channel", make(chan int)},
		{"function", func() {}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			desc, data, err := Encode(ocispec.MediaTypeImageConfig, tc.value)
			if err == nil {
				t.Fatalf("Encode(%T) succeeded with %s", tc.value, data)
			}
			if !strings.Contains(err.Error(), ocispec.MediaTypeImageConfig) {
				t.Errorf("error %q does not name the media type", err)
			}
			if desc.Digest != "" || data != nil {
				t.Errorf("Encode returned %+v and %q with its error", desc, data)
			}
		})
	}
}
