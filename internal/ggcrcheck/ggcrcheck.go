// Package ggcrcheck has go-containerregistry check an OCI layout, for
// tests: a reader nobody on this project wrote.
package ggcrcheck

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// Layout has go-containerregistry check the first image of the layout in
// dir: documents, digests and sizes with validate.Fast (its layer check
// reads every layer as gzip in v0.22.1, so zstd layers could not pass
// it), then every layer read back through its layer reader, which reads
// zstd too, against the diff IDs of the config it reads. It returns those
// diff IDs, so callers can compare them with what they expect.
func Layout(t testing.TB, dir string) []string {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(idx, validate.Fast); err != nil {
		t.Fatalf("go-containerregistry rejects the layout: %v", err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != len(cfg.RootFS.DiffIDs) {
		t.Fatalf("%d layers, but the config names %d diff IDs", len(layers), len(cfg.RootFS.DiffIDs))
	}
	ids := make([]string, len(layers))
	for i, l := range layers {
		ids[i] = uncompressedDigest(t, i, l.Uncompressed)
		if ids[i] != cfg.RootFS.DiffIDs[i].String() {
			t.Errorf("layer %d uncompresses to %s, config says %s", i, ids[i], cfg.RootFS.DiffIDs[i])
		}
	}
	return ids
}

func uncompressedDigest(t testing.TB, i int, open func() (io.ReadCloser, error)) string {
	t.Helper()
	r, err := open()
	if err != nil {
		t.Fatalf("layer %d: %v", i, err)
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatalf("layer %d: %v", i, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
