package layout

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLeaseGuardsRemoval(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "made")
	dir := filepath.Join(root, "oci")
	store, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := store.Lease()
	if err != nil {
		t.Fatal(err)
	}
	other, err := store.Lease()
	if err != nil {
		t.Fatal(err)
	}
	if mine.RemoveIfUnused(ctx, root) {
		t.Fatal("removed a layout another lease holds")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("layout gone: %v", err)
	}
	desc, err := store.WriteBlob(ctx, "application/vnd.oci.image.manifest.v1+json", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Tag(ctx, desc, "kept"); err != nil {
		t.Fatal(err)
	}
	other.Release()
	third, err := store.Lease()
	if err != nil {
		t.Fatal(err)
	}
	if third.RemoveIfUnused(ctx, root) {
		t.Fatal("removed a layout with a tag in it")
	}
	empty := filepath.Join(t.TempDir(), "empty")
	store2, err := Create(empty)
	if err != nil {
		t.Fatal(err)
	}
	lease, err := store2.Lease()
	if err != nil {
		t.Fatal(err)
	}
	if !lease.RemoveIfUnused(ctx, empty) {
		t.Fatal("kept an unused, empty layout")
	}
	if _, err := store2.Lease(); !errors.Is(err, ErrLayoutGone) {
		t.Errorf("lease on a removed layout: %v, want ErrLayoutGone", err)
	}
}

func TestCheckWritableAcceptsAnInterruptedCreate(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "sha256"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".tmp-index.json-123"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckWritable(dir); err != nil {
		t.Errorf("CheckWritable refuses what Create would finish: %v", err)
	}
	if _, err := Create(dir); err != nil {
		t.Errorf("Create: %v", err)
	}
}
