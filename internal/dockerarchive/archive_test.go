package dockerarchive

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// image writes a one-layer image with layerType into a new layout.
func image(t *testing.T, layerType string) (*layout.Layout, ocispec.Descriptor, ocispec.Manifest) {
	t.Helper()
	ctx := context.Background()
	store, err := layout.Create(ctx, filepath.Join(t.TempDir(), "layout"))
	if err != nil {
		t.Fatal(err)
	}
	layer, err := store.WriteBlob(ctx, layerType, []byte("layer bytes"))
	if err != nil {
		t.Fatal(err)
	}
	config, err := store.WriteBlob(ctx, ocispec.MediaTypeImageConfig, []byte(`{"architecture":"amd64","os":"linux"}`))
	if err != nil {
		t.Fatal(err)
	}
	m := oci.NewManifest(config, []ocispec.Descriptor{layer, layer}, nil)
	desc, data, err := oci.Encode(ocispec.MediaTypeImageManifest, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Push(ctx, desc, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	return store, desc, m
}

func TestWriteIsDeterministicAndComplete(t *testing.T) {
	store, desc, m := image(t, ocispec.MediaTypeImageLayerGzip)
	img := Image{Manifest: desc, RepoTags: []string{"krust.local/app:v1", "krust.local/app:latest"}}
	var a, b bytes.Buffer
	w, err := Write(context.Background(), &a, store, img)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Write(context.Background(), &b, store, img); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two writes of the same image differ")
	}
	if w.Config.Digest != m.Config.Digest {
		t.Errorf("Written.Config = %s, want %s", w.Config.Digest, m.Config.Digest)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(&a)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Uid != 0 || hdr.Gid != 0 || hdr.ModTime.Unix() != 0 || (hdr.Mode != 0o644 && hdr.Mode != 0o755) {
			t.Errorf("%s: header uid %d gid %d mtime %v mode %o, want 0, 0, the epoch, 0644/0755", hdr.Name, hdr.Uid, hdr.Gid, hdr.ModTime, hdr.Mode)
		}
		if _, dup := files[hdr.Name]; dup {
			t.Errorf("%s written twice", hdr.Name)
		}
		files[hdr.Name], _ = io.ReadAll(tr)
	}
	var dm []dockerManifest
	if err := json.Unmarshal(files["manifest.json"], &dm); err != nil || len(dm) != 1 {
		t.Fatalf("manifest.json %s: %v", files["manifest.json"], err)
	}
	layer := blobPath(m.Layers[0].Digest)
	if dm[0].Config != blobPath(m.Config.Digest) || len(dm[0].Layers) != 2 || dm[0].Layers[1] != layer || len(dm[0].RepoTags) != 2 {
		t.Errorf("manifest.json = %+v", dm[0])
	}
	for _, name := range []string{dm[0].Config, layer, blobPath(desc.Digest), "oci-layout", "index.json"} {
		if _, ok := files[name]; !ok {
			t.Errorf("the archive lacks %s", name)
		}
	}
	var idx ocispec.Index
	if err := json.Unmarshal(files["index.json"], &idx); err != nil || len(idx.Manifests) != 2 ||
		idx.Manifests[0].Digest != desc.Digest || idx.Manifests[0].Annotations[ocispec.AnnotationRefName] != "v1" ||
		idx.Manifests[1].Annotations["io.containerd.image.name"] != "krust.local/app:latest" {
		t.Errorf("index.json = %s (%v)", files["index.json"], err)
	}
}

func TestWriteRefuses(t *testing.T) {
	tests := []struct {
		name    string
		layer   string
		corrupt bool
		want    error
	}{
		{"zstd layer", ocispec.MediaTypeImageLayerZstd, false, ErrZstdLayer},
		{"corrupt blob", ocispec.MediaTypeImageLayerGzip, true, layout.ErrCorruptBlob},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store, desc, m := image(t, tc.layer)
			if tc.corrupt {
				path := filepath.Join(store.Dir(), "blobs", "sha256", m.Layers[0].Digest.Encoded())
				if err := os.WriteFile(path, []byte("LAYER BYTES"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Write(context.Background(), io.Discard, store, Image{Manifest: desc, RepoTags: []string{"a:b"}})
			if !errors.Is(err, tc.want) {
				t.Errorf("Write = %v, want %v", err, tc.want)
			}
		})
	}
}

// With Index set the archive holds every platform's image and index.json
// names the index, for the containerd image store; manifest.json still
// names the chosen image, for the classic store.
func TestWriteWholeIndex(t *testing.T) {
	ctx := context.Background()
	store, amd, amdM := image(t, ocispec.MediaTypeImageLayerGzip)
	otherLayer, _ := store.WriteBlob(ctx, ocispec.MediaTypeImageLayerGzip, []byte("arm layer"))
	otherConfig, _ := store.WriteBlob(ctx, ocispec.MediaTypeImageConfig, []byte(`{"architecture":"arm64","os":"linux"}`))
	arm, data, err := oci.Encode(ocispec.MediaTypeImageManifest, oci.NewManifest(otherConfig, []ocispec.Descriptor{otherLayer}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Push(ctx, arm, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	idx := ocispec.Index{MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{amd, arm}}
	idx.SchemaVersion = 2
	idxDesc, data, err := oci.Encode(ocispec.MediaTypeImageIndex, idx)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Push(ctx, idxDesc, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := Write(ctx, &buf, store, Image{Manifest: amd, Index: &idxDesc, RepoTags: []string{"krust.local/app:v1"}}); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(&buf)
	for hdr, err := tr.Next(); err == nil; hdr, err = tr.Next() {
		files[hdr.Name], _ = io.ReadAll(tr)
	}
	for _, d := range []ocispec.Descriptor{idxDesc, amd, arm, amdM.Config, amdM.Layers[0], otherConfig, otherLayer} {
		if _, ok := files[blobPath(d.Digest)]; !ok {
			t.Errorf("the archive lacks blob %s", d.Digest)
		}
	}
	var top ocispec.Index
	var dm []dockerManifest
	if json.Unmarshal(files["index.json"], &top) != nil || len(top.Manifests) != 1 || top.Manifests[0].Digest != idxDesc.Digest {
		t.Errorf("index.json = %s, want the index %s", files["index.json"], idxDesc.Digest)
	}
	if json.Unmarshal(files["manifest.json"], &dm) != nil || len(dm) != 1 || dm[0].Config != blobPath(amdM.Config.Digest) {
		t.Errorf("manifest.json = %s, want the amd64 image", files["manifest.json"])
	}
}
