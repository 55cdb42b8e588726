package remote

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/internal/testregistry"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
)

var (
	linuxAmd64 = ocispec.Platform{OS: "linux", Architecture: "amd64"}
	linuxArm64 = ocispec.Platform{OS: "linux", Architecture: "arm64"}
)

// testImage is a one-layer image (on top of optional base layers) written
// into a layout by our own code.
type testImage struct {
	store    *layout.Layout
	manifest ocispec.Descriptor
	config   ocispec.Descriptor
	layers   []ocispec.Descriptor // base layers first, then the image's own
	layer    ocispec.Descriptor   // the image's own layer
}

// blobs returns the config and the layers.
func (img testImage) blobs() []ocispec.Descriptor {
	return append([]ocispec.Descriptor{img.config}, img.layers...)
}

// all returns the manifest, config and layers.
func (img testImage) all() []ocispec.Descriptor {
	return append([]ocispec.Descriptor{img.manifest}, img.blobs()...)
}

// testIndex is a multi-platform index as buildkit writes it.
type testIndex struct {
	store       *layout.Layout
	index       ocispec.Descriptor
	amd64       testImage
	arm64       testImage
	attestation ocispec.Descriptor
}

// newStore returns a new empty layout in a temp dir.
func newStore(t testing.TB) *layout.Layout {
	t.Helper()
	store, err := layout.Create(context.Background(), filepath.Join(t.TempDir(), "layout"))
	if err != nil {
		t.Fatalf("create layout: %v", err)
	}
	return store
}

// writeImage writes a one-layer image for platform into store; content
// makes it unique. baseLayers (already in store) go below the new layer.
func writeImage(t testing.TB, store *layout.Layout, platform ocispec.Platform, content string, baseLayers ...ocispec.Descriptor) testImage {
	t.Helper()
	ctx := context.Background()
	bw, err := store.NewBlobWriter()
	if err != nil {
		t.Fatal(err)
	}
	defer bw.Close()
	modTime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	data := []byte(content)
	layer, err := oci.WriteLayer(bw, []oci.File{{Path: "app/hello", Mode: 0o755, Size: int64(len(data)), Content: bytes.NewReader(data)}}, modTime)
	if err != nil {
		t.Fatalf("write layer: %v", err)
	}
	layerDesc, err := bw.Commit(layer.Descriptor.MediaType)
	if err != nil {
		t.Fatalf("commit layer: %v", err)
	}
	if layerDesc.Digest != layer.Descriptor.Digest || layerDesc.Size != layer.Descriptor.Size {
		t.Fatalf("committed layer %v differs from WriteLayer's %v", layerDesc, layer.Descriptor)
	}
	cfg := oci.NewConfig(nil, oci.ConfigOptions{
		Platform:   platform,
		Entrypoint: []string{"/app/hello"},
		Layers:     []oci.AddedLayer{{Layer: layer, CreatedBy: "test " + content}},
		Created:    modTime,
	})
	// The config lists only the new layer's diff ID: a registry never
	// compares it with the manifest's layers.
	configDesc, configData, err := oci.Encode(ocispec.MediaTypeImageConfig, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.WriteBlob(ctx, configDesc.MediaType, configData); err != nil {
		t.Fatalf("write config: %v", err)
	}
	layers := append(append([]ocispec.Descriptor{}, baseLayers...), layerDesc)
	manifest := oci.NewManifest(configDesc, layers, nil)
	manifestDesc, manifestData, err := oci.Encode(ocispec.MediaTypeImageManifest, manifest)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.WriteBlob(ctx, manifestDesc.MediaType, manifestData); err != nil {
		t.Fatalf("write manifest: %v", err)
	}
	return testImage{store: store, manifest: manifestDesc, config: configDesc, layers: manifest.Layers, layer: layerDesc}
}

// writeIndex writes an index for linux/amd64 and linux/arm64/v8 plus a
// buildkit-style attestation manifest (platform unknown/unknown).
func writeIndex(t *testing.T, store *layout.Layout, content string) testIndex {
	t.Helper()
	ctx := context.Background()
	arm64v8 := ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	amd := writeImage(t, store, linuxAmd64, content+" amd64")
	arm := writeImage(t, store, arm64v8, content+" arm64")

	// Attestation manifest, as buildkit attaches to an image.
	statement, err := store.WriteBlob(ctx, "application/vnd.in-toto+json", []byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document"}`))
	if err != nil {
		t.Fatal(err)
	}
	statement.Annotations = map[string]string{"in-toto.io/predicate-type": "https://spdx.dev/Document"}
	attCfg, err := store.WriteBlob(ctx, ocispec.MediaTypeImageConfig, []byte(`{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}`))
	if err != nil {
		t.Fatal(err)
	}
	attDesc, attData, err := oci.Encode(ocispec.MediaTypeImageManifest, oci.NewManifest(attCfg, []ocispec.Descriptor{statement}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.WriteBlob(ctx, attDesc.MediaType, attData); err != nil {
		t.Fatal(err)
	}
	attDesc.Platform = &ocispec.Platform{OS: "unknown", Architecture: "unknown"}
	attDesc.Annotations = map[string]string{
		"vnd.docker.reference.type":   "attestation-manifest",
		"vnd.docker.reference.digest": amd.manifest.Digest.String(),
	}

	amdPlatform := linuxAmd64
	amdEntry := amd.manifest
	amdEntry.Platform = &amdPlatform
	armEntry := arm.manifest
	armEntry.Platform = &arm64v8
	idxDesc, idxData, err := oci.Encode(ocispec.MediaTypeImageIndex, oci.NewIndex([]ocispec.Descriptor{amdEntry, armEntry, attDesc}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.WriteBlob(ctx, idxDesc.MediaType, idxData); err != nil {
		t.Fatal(err)
	}
	return testIndex{store: store, index: idxDesc, amd64: amd, arm64: arm, attestation: attDesc}
}

// pushIndex copies an index and everything it references from its layout
// to host/repo with oras (not with Client.Push) and tags it.
func pushIndex(t *testing.T, c *Client, host, repo, tag string, idx testIndex) {
	t.Helper()
	ctx := context.Background()
	r, err := c.Repository(ctx, mustNamed(t, host+"/"+repo))
	if err != nil {
		t.Fatal(err)
	}
	if err := oras.CopyGraph(ctx, idx.store, r, idx.index, oras.DefaultCopyGraphOptions); err != nil {
		t.Fatalf("copy index to %s/%s: %v", host, repo, err)
	}
	if err := r.Tag(ctx, idx.index, tag); err != nil {
		t.Fatalf("tag index %s/%s:%s: %v", host, repo, tag, err)
	}
}

// pushImage pushes img to host/repo with the given tags via Client.Push.
func pushImage(t *testing.T, c *Client, host, repo string, img testImage, tags ...string) PushResult {
	t.Helper()
	res, err := c.Push(context.Background(), img.store, img.manifest, mustNamed(t, host+"/"+repo), PushOptions{Tags: tags})
	if err != nil {
		t.Fatalf("push %s/%s: %v", host, repo, err)
	}
	return res
}

func mustNamed(t testing.TB, s string) reference.Named {
	t.Helper()
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return named
}

// startRegistry starts a plain-HTTP registry without auth.
func startRegistry(t *testing.T) *testregistry.Registry {
	t.Helper()
	return testregistry.Start(t, testregistry.Options{})
}

// certDirFor returns a certs.d-style directory trusting r's CA for r.Host.
func certDirFor(t *testing.T, r *testregistry.Registry) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, r.Host), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(r.CAFile, filepath.Join(dir, r.Host, "ca.crt")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// assertInStore fails unless every descriptor is in store.
func assertInStore(t *testing.T, store *layout.Layout, descs ...ocispec.Descriptor) {
	t.Helper()
	for _, d := range descs {
		ok, err := store.Exists(context.Background(), d)
		if err != nil || !ok {
			t.Errorf("%s %s not in layout %s (exists=%v, err=%v)", oci.KindOf(d.MediaType), d.Digest, store.Dir(), ok, err)
		}
	}
}

// assertNotInStore fails if any descriptor is in store.
func assertNotInStore(t *testing.T, store *layout.Layout, descs ...ocispec.Descriptor) {
	t.Helper()
	for _, d := range descs {
		ok, err := store.Exists(context.Background(), d)
		if err != nil || ok {
			t.Errorf("%s %s is in layout %s but should not be (exists=%v, err=%v)", oci.KindOf(d.MediaType), d.Digest, store.Dir(), ok, err)
		}
	}
}

// assertSameBlobs fails unless each descriptor's content in got equals
// its content in want.
func assertSameBlobs(t *testing.T, got, want *layout.Layout, descs ...ocispec.Descriptor) {
	t.Helper()
	ctx := context.Background()
	for _, d := range descs {
		g, err := oci.ReadBlob(ctx, got, d, 64<<20)
		if err != nil {
			t.Errorf("read %s from pulled layout: %v", d.Digest, err)
			continue
		}
		w, err := oci.ReadBlob(ctx, want, d, 64<<20)
		if err != nil {
			t.Fatalf("read %s from source layout: %v", d.Digest, err)
		}
		if !bytes.Equal(g, w) {
			t.Errorf("pulled %s differs from the pushed one", d.Digest)
		}
	}
}

// tempFiles lists files under store's blobs/ whose name starts with ".tmp-".
func tempFiles(t *testing.T, store *layout.Layout) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(filepath.Join(store.Dir(), "blobs"), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".tmp-") {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", store.Dir(), err)
	}
	return found
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes CopyGraph
// makes through Options.Log and Options.Debug.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// requestsSince returns the proxy's requests after the first n.
func requestsSince(p *testregistry.Proxy, n int) []testregistry.Request {
	return p.Requests()[n:]
}

// countIn counts requests with method whose path contains substr.
func countIn(reqs []testregistry.Request, method, substr string) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method && strings.Contains(r.Path, substr) {
			n++
		}
	}
	return n
}
