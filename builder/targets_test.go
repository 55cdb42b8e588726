package builder

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestTargetCheckedUntilBuilt: rustc is asked whether the Rust target is
// installed until cargo has built the executable for it, and again once
// that executable is gone.
func TestTargetCheckedUntilBuilt(t *testing.T) {
	f, opts := newFake(t)
	run := func(wantChecks int) {
		t.Helper()
		f.checks = 0
		if _, err := Run(context.Background(), f, opts); err != nil {
			t.Fatal(err)
		}
		if f.checks != wantChecks {
			t.Errorf("target checked %d times, want %d", f.checks, wantChecks)
		}
	}
	run(1)
	run(0)
	mustDo(t, os.Remove(filepath.Join(f.project.TargetDir, "x86_64-unknown-linux-gnu", "release", "svc")))
	run(1)
	opts.Profile = "dev" // builds into target/TRIPLE/debug, not yet there
	run(1)
}
