package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestCacheNoOpRebuild builds the example, then again with nothing
// changed: the same reference is printed, the layer comes from the cache
// (the log says so, the blob is not written again), and deleting the
// cache costs only a compression.
func TestCacheNoOpRebuild(t *testing.T) {
	requireTool(t, "cargo")
	project := copyExample(t, t.TempDir())
	first := krust(t, project, nil, glibcScratch...)
	dir := ociRef(t, first, "latest")
	layers := imageFor(t, dir, "latest").Layers
	blob := blobPath(dir, layers[len(layers)-1])
	ino := inodeOf(t, blob)

	verbose := append(slices.Clone(glibcScratch), "-v")
	again := krust(t, project, nil, verbose...)
	if again.code != 0 || again.stdout != first.stdout {
		t.Fatalf("no-op rebuild: exit %d, stdout %q, want %q\nstderr:\n%s", again.code, again.stdout, first.stdout, again.stderr)
	}
	if !strings.Contains(again.stderr, "taken from the cache") {
		t.Errorf("-v does not say the layer came from the cache:\n%s", again.stderr)
	}
	if inodeOf(t, blob) != ino {
		t.Errorf("the no-op rebuild wrote the layer blob again")
	}

	cache := filepath.Join(project, "target", "krust", ".cache")
	if err := os.RemoveAll(cache); err != nil {
		t.Fatal(err)
	}
	cold := krust(t, project, nil, verbose...)
	if cold.code != 0 || cold.stdout != first.stdout || strings.Contains(cold.stderr, "taken from the cache") {
		t.Errorf("build after deleting the cache: exit %d, stdout %q (want %q), stderr:\n%s", cold.code, cold.stdout, first.stdout, cold.stderr)
	}
	if res := krust(t, project, nil, "gc"); res.code != 0 {
		t.Errorf("gc with a layer cache beside the layouts: exit %d\n%s", res.code, res.stderr)
	}
	if res := krust(t, project, nil, verbose...); !strings.Contains(res.stderr, "taken from the cache") || res.stdout != first.stdout {
		t.Errorf("after gc, the cache was not used again:\n%s", res.stderr)
	}
}

func inodeOf(t *testing.T, path string) uint64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Sys().(*syscall.Stat_t).Ino
}
