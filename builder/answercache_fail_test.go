package builder

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A build that fails after cargo answered (here: a file of the image
// changed while it was packaged) caches none of those answers, and
// leaves no krust directory in cargo's target directory: only a build
// that wrote its image makes the next one trust what it saw.
func TestAFailedBuildCachesNoAnswer(t *testing.T) {
	c, opts, _ := newCachingFake(t)
	makeTree(t, opts.Dir, assets)
	opts.Files = assetSpecs
	c.hook = func() { appendTo(t, filepath.Join(opts.Dir, "static", "index.html"), "<p>more</p>") }
	if _, err := Run(context.Background(), c, opts); err == nil {
		t.Fatal("the build succeeded with a file changed while it was packaged")
	}
	if c.toolchains.Load() == 0 {
		t.Fatal("the build failed before it asked for the toolchain: the test shows nothing")
	}
	krust := filepath.Join(c.project.TargetDir, "krust")
	if _, err := os.Lstat(krust); !os.IsNotExist(err) {
		t.Errorf("a failed build left %s behind (%v): it holds %v", krust, err, c.graphEntries(t))
	}

	// The same build, fixed, caches both answers.
	c.hook = nil
	c.run(t, opts)
	if got := len(c.graphEntries(t)); got != 1 {
		t.Errorf("a build that wrote its image cached %d crate graphs, want 1", got)
	}
	tcs, _ := filepath.Glob(filepath.Join(c.project.TargetDir, filepath.FromSlash(toolchainCacheRel), "*.json"))
	if len(tcs) != 1 {
		t.Errorf("a build that wrote its image cached %d toolchains, want 1", len(tcs))
	}
}
