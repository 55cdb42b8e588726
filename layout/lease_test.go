package layout

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// abandonCase is a failed build's layout at root/a/b/oci, where root/a
// did not exist when the build started.
type abandonCase struct {
	name  string
	setup func(t *testing.T, root string, store *Layout)
	// kept must all still exist afterwards, gone must not.
	kept, gone []string
	// ownBlobsKept says the build's own blobs must stay.
	ownBlobsKept bool
}

func TestAbandonRemovesOnlyWhatTheBuildWrote(t *testing.T) {
	tagged := func(t *testing.T, dir string) {
		other, err := Create(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		desc := pushBytes(t, other, []byte(`{"schemaVersion":2}`))
		if err := other.Tag(context.Background(), desc, "done"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []abandonCase{
		{name: "nothing else there", kept: []string{"."}, gone: []string{"a"}},
		{name: "a user's file in a created parent", setup: func(t *testing.T, root string, _ *Layout) {
			writeFile(t, filepath.Join(root, "a", "notes.txt"), "mine")
		}, kept: []string{"a/notes.txt"}, gone: []string{"a/b"}},
		{name: "another build's finished layout beside", setup: func(t *testing.T, root string, _ *Layout) {
			tagged(t, filepath.Join(root, "a", "b", "other"))
		}, kept: []string{"a/b/other/index.json", "a/b/other/oci-layout"}, gone: []string{"a/b/oci"}},
		{name: "cargo's target directory beside", setup: func(t *testing.T, root string, _ *Layout) {
			writeFile(t, filepath.Join(root, "a", "target", "release", "deps", "libdep.rlib"), "")
		}, kept: []string{"a/target/release/deps/libdep.rlib"}, gone: []string{"a/b"}},
		{name: "an empty directory someone made beside", setup: func(t *testing.T, root string, _ *Layout) {
			if err := os.MkdirAll(filepath.Join(root, "a", "b", "mine"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, kept: []string{"a/b/mine"}, gone: []string{"a/b/oci"}},
		{name: "a user's file in the layout", setup: func(t *testing.T, root string, _ *Layout) {
			writeFile(t, filepath.Join(root, "a", "b", "oci", "README"), "mine")
		}, kept: []string{"a/b/oci/README", "a/b/oci/oci-layout", "a/b/oci/index.json"}},
		{name: "a tag in the layout", setup: func(t *testing.T, root string, store *Layout) {
			desc := pushBytes(t, store, []byte(`{"schemaVersion":2,"tagged":true}`))
			if err := store.Tag(context.Background(), desc, "other"); err != nil {
				t.Fatal(err)
			}
		}, kept: []string{"a/b/oci/index.json", "a/b/oci/oci-layout"}},
		{name: "another build holds a lease", setup: func(t *testing.T, root string, store *Layout) {
			other, err := store.Lease(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(other.Release)
		}, kept: []string{"a/b/oci/index.json", "a/b/oci/oci-layout"}, ownBlobsKept: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			store, err := Create(context.Background(), filepath.Join(root, "a", "b", "oci"))
			if err != nil {
				t.Fatal(err)
			}
			lease, err := store.Lease(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			own := writeOwnBlobs(t, lease.Layout())
			if tt.setup != nil {
				tt.setup(t, root, store)
			}
			lease.Abandon(context.Background(), filepath.Join(root, "a"))
			for _, p := range tt.kept {
				if _, err := os.Stat(filepath.Join(root, p)); err != nil {
					t.Errorf("%s was removed: %v", p, err)
				}
			}
			for _, p := range tt.gone {
				if _, err := os.Stat(filepath.Join(root, p)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s is still there (%v); want it removed", p, err)
				}
			}
			for _, d := range own {
				ok, err := store.Exists(context.Background(), d)
				if err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
				if ok != tt.ownBlobsKept {
					t.Errorf("the failed build's blob %s present: %v, want %v", d.Digest, ok, tt.ownBlobsKept)
				}
			}
		})
	}
}

// writeOwnBlobs writes a layer, a config and a manifest, as a build does.
func writeOwnBlobs(t *testing.T, l *Layout) []ocispec.Descriptor {
	t.Helper()
	w, err := l.NewBlobWriter()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Write([]byte("\x1f\x8b a layer")); err != nil {
		t.Fatal(err)
	}
	layer, err := w.Commit(ocispec.MediaTypeImageLayerGzip)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := l.WriteBlob(context.Background(), ocispec.MediaTypeImageConfig, []byte(`{"architecture":"amd64","os":"linux"}`))
	if err != nil {
		t.Fatal(err)
	}
	m := pushBytes(t, l, []byte(`{"schemaVersion":2,"config":{"digest":"`+cfg.Digest.String()+`"}}`))
	return []ocispec.Descriptor{layer, cfg, m}
}

func TestAbandonInAnExistingLayoutRemovesOnlyItsUnreachableBlobs(t *testing.T) {
	ctx := context.Background()
	g := graph{t: t, l: newLayout(t)}
	shared := layer(g, "shared")
	kept, keptCfg := g.image("kept", nil, nil, shared)
	g.tag(kept, "v1")
	stray := g.blob("application/octet-stream", "someone else's, untagged")
	lease, err := g.l.Lease(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mine := graph{t: t, l: lease.Layout()}
	again := layer(mine, "shared") // already there: not this build's
	ownLayer := layer(mine, "own")
	failed, failedCfg := mine.image("failed", nil, nil, shared, ownLayer)
	tagged, taggedCfg := mine.image("tagged", nil, nil, shared)
	mine.tag(tagged, "v2")
	lease.Abandon(ctx, "")
	for _, d := range []ocispec.Descriptor{shared, again, kept, keptCfg, stray, tagged, taggedCfg} {
		if !g.present(d) {
			t.Errorf("blob %s that the failed build did not write, or that is tagged, was removed", d.Digest)
		}
	}
	for _, d := range []ocispec.Descriptor{ownLayer, failed, failedCfg} {
		if g.present(d) {
			t.Errorf("the failed build's unreferenced blob %s was left behind", d.Digest)
		}
	}
	if _, err := Open(g.l.Dir()); err != nil {
		t.Errorf("the layout is no longer a layout: %v", err)
	}
	if _, err := g.l.Lease(context.Background()); err != nil {
		t.Errorf("lease after abandon: %v", err)
	}
}

func TestCreateAfterAbandonRemovedTheLayout(t *testing.T) {
	root := filepath.Join(t.TempDir(), "made")
	dir := filepath.Join(root, "oci")
	store, err := Create(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	lease, err := store.Lease(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lease.Abandon(context.Background(), root)
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the created directory is still there: %v", err)
	}
	if _, err := store.Lease(context.Background()); !errors.Is(err, ErrLayoutGone) {
		t.Errorf("lease on a removed layout: %v, want ErrLayoutGone", err)
	}
	if _, err := Create(context.Background(), dir); err != nil {
		t.Errorf("Create after the layout was removed: %v", err)
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
	if _, err := Create(context.Background(), dir); err != nil {
		t.Errorf("Create: %v", err)
	}
}
