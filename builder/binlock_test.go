package builder

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/attest"
)

func TestBinLocks(t *testing.T) {
	var l binLocks
	ctx := context.Background()
	unlock, err := l.lock(ctx, "/t/target", "app")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, bin string
		wantWait       bool
	}{
		{"same binary, same target directory", "/t/target/", "app", true},
		{"another binary", "/t/target", "worker", false},
		{"another target directory", "/u/target", "app", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			other, err := l.lock(ctx, tt.dir, tt.bin)
			if waited := errors.Is(err, context.DeadlineExceeded); waited != tt.wantWait {
				t.Fatalf("lock: %v, want waiting %v", err, tt.wantWait)
			}
			if err == nil {
				other()
			}
		})
	}
	unlock()
	again, err := l.lock(ctx, "/t/target", "app")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again()
}

// A build holds the lock of its binary from cargo until its layer is
// written: another build of a binary of that name in that target
// directory (another package's) cannot read or replace the executable
// meanwhile; afterwards it can.
func TestBuildHoldsItsBinaryFromCargoToTheLayer(t *testing.T) {
	f, tb := newFake(t)
	tb.SBOM, tb.Provenance = attest.None, attest.None
	b := &Builder{Cargo: f}
	target := f.project.TargetDir
	held := func(when string) error {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		unlock, err := b.bins.lock(ctx, target, "svc")
		if err == nil {
			unlock()
			return errors.New("the binary was free " + when)
		}
		return nil
	}
	var errs []error
	f.during = func() error {
		errs = append(errs, held("while cargo built"))
		return nil
	}
	b.layerCompressed = func() { errs = append(errs, held("once the layer was compressed")) }
	req := tb.Request
	req.Project, req.Package = &f.project, f.project.Packages[0]
	plan, err := b.Prepare(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	res, err := plan.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	res.Release()
	if err := errors.Join(errs...); err != nil || len(errs) != 2 {
		t.Fatalf("%d checks: %v", len(errs), err)
	}
	unlock, err := b.bins.lock(context.Background(), target, "svc")
	if err != nil {
		t.Fatalf("the binary is still locked after the build: %v", err)
	}
	unlock()
}
