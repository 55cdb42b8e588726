package builder

import (
	"context"
	"errors"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// runHeld prepares and runs tb as the command does, keeping the result's
// lease.
func runHeld(t *testing.T, f *fakeCargo, tb testBuild) Result {
	t.Helper()
	req := tb.Request
	req.Project, req.Package = &f.project, f.project.Packages[0]
	plan, err := (&Builder{Cargo: f}).Prepare(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	res, err := plan.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A result holds its build's lease until Release: a rebuild moving the tag
// meanwhile leaves the image unreachable, yet gc frees none of its blobs;
// once released (twice: Release is idempotent), gc frees them.
func TestResultHoldsItsLeaseUntilReleased(t *testing.T) {
	ctx := context.Background()
	f, tb := newFake(t)
	tb.SBOM, tb.Provenance = attest.None, attest.None
	first := runHeld(t, f, tb)
	f.exe = []byte("\x7fELF another executable")
	second, err := Run(ctx, f, tb)
	if err != nil {
		t.Fatal(err)
	}
	if second.Root.Digest == first.Root.Digest {
		t.Fatal("the rebuild did not change the image: the test proves nothing")
	}
	store := first.Layout()
	if store == nil || store.Dir() != first.LayoutDir {
		t.Fatalf("Layout() %v, want the leased layout %s", store, first.LayoutDir)
	}
	if _, err := mustOpen(t, first.LayoutDir).GC(ctx, layout.GCOptions{}); !errors.Is(err, layout.ErrInUse) {
		t.Fatalf("gc while the result is held: %v, want layout.ErrInUse", err)
	}
	var m ocispec.Manifest
	if err := oci.ReadJSON(ctx, store, first.Root, oci.MaxManifestSize, &m); err != nil {
		t.Fatalf("the held image is unreadable: %v", err)
	}
	first.Release()
	first.Release()
	if first.Layout() != nil {
		t.Error("a released Result still offers its layout")
	}
	got, err := mustOpen(t, first.LayoutDir).GC(ctx, layout.GCOptions{})
	if err != nil || got.Removed == 0 {
		t.Fatalf("gc after Release: %+v %v, want the first image's blobs removed", got, err)
	}
	if exists, err := store.Exists(ctx, first.Root); err != nil || exists {
		t.Errorf("the released image's manifest is still there (%v) after gc", err)
	}
}

// A Result that Plan.Run did not make holds nothing to release.
func TestZeroResultReleases(t *testing.T) {
	var r Result
	r.Release()
	if r.Layout() != nil {
		t.Error("a zero Result has a layout")
	}
}
