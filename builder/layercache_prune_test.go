package builder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The cache does not grow forever: a build that writes an entry leaves
// at most layerCacheMaxEntries, the least recently written removed first
// (never its own), and removes the temp files of builds that died while
// writing, but not those of a build writing now, nor anything that is
// not a regular file.
func TestCacheIsBounded(t *testing.T) {
	f, opts := newFake(t)
	dir := layerCacheDir(&f.project)
	mustDo(t, os.MkdirAll(dir, 0o755))
	old := time.Now().Add(-48 * time.Hour)
	for i := range layerCacheMaxEntries + 50 {
		p := filepath.Join(dir, fmt.Sprintf("%064d.json", i))
		mustDo(t, os.WriteFile(p, []byte("{}"), 0o644))
		// Entry i was written i minutes after the first.
		mustDo(t, os.Chtimes(p, old, old.Add(time.Duration(i)*time.Minute)))
	}
	staleTemp, freshTemp := filepath.Join(dir, ".tmp-x.json-stale"), filepath.Join(dir, ".tmp-x.json-fresh")
	mustDo(t, os.WriteFile(staleTemp, nil, 0o644))
	mustDo(t, os.Chtimes(staleTemp, old, old))
	mustDo(t, os.WriteFile(freshTemp, nil, 0o644))
	keptDir := filepath.Join(dir, "0000-a-directory.json")
	mustDo(t, os.Mkdir(keptDir, 0o755))
	mustDo(t, os.Chtimes(keptDir, old, old))

	res, err := Run(context.Background(), f, opts)
	mustDo(t, err)
	entries, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(entries) != layerCacheMaxEntries+1 { // the directory stays
		t.Errorf("the cache holds %d entries, want %d and the directory", len(entries)-1, layerCacheMaxEntries)
	}
	for i, want := range map[int]bool{0: false, 50: false, 51: true, layerCacheMaxEntries + 49: true} {
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("%064d.json", i))); (err == nil) != want {
			t.Errorf("entry %d kept = %v, want %v", i, err == nil, want)
		}
	}
	for p, want := range map[string]bool{staleTemp: false, freshTemp: true, keptDir: true} {
		if _, err := os.Lstat(p); (err == nil) != want {
			t.Errorf("%s kept = %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
	var compressed int
	opts.compressed = func() { compressed++ }
	if again, err := Run(context.Background(), f, opts); err != nil || again.Root.Digest != res.Root.Digest || compressed != 0 {
		t.Errorf("the build's own entry was pruned: %v, compressed %d times", err, compressed)
	}
}
