package remote

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/docker-krust/docker-krust/layout"
	"oras.land/oras-go/v2/errdef"
)

func TestDamagedLayoutBlobIsNeverPushed(t *testing.T) {
	reg := startRegistry(t)
	store := newStore(t)
	img := writeImage(t, store, linuxAmd64, "will be damaged")
	path := filepath.Join(store.Dir(), "blobs", "sha256", img.layer.Digest.Encoded())
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff // same size, different bytes
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	c := New(Options{Attempts: 1})
	_, err = c.Push(context.Background(), store, img.manifest, mustNamed(t, reg.Host+"/damaged"), PushOptions{})
	if !errors.Is(err, layout.ErrDigestMismatch) {
		t.Fatalf("push of a damaged blob gave %v, want layout.ErrDigestMismatch", err)
	}
	repo, err := c.Repository(context.Background(), mustNamed(t, reg.Host+"/damaged"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Blobs().Resolve(context.Background(), img.layer.Digest.String()); !errors.Is(err, errdef.ErrNotFound) {
		t.Errorf("the registry has the damaged layer %s (err %v)", img.layer.Digest, err)
	}
	if _, err := repo.Resolve(context.Background(), img.manifest.Digest.String()); !errors.Is(err, errdef.ErrNotFound) {
		t.Errorf("the registry has the manifest of an image whose layer failed: %v", err)
	}
}
