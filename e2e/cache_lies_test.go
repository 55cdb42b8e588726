package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestForgedCacheIsRebuilt forges the layer cache of a real build in the
// ways it once lied (an entry with a wrong diffID, one naming another
// intact blob of the layout, a FIFO in place of an entry, the cache
// directory a link to a directory outside holding a forged entry) and
// builds again each time: the build ends, warns, and writes the image a
// clean build wrote, which go-containerregistry's validator and umoci
// accept; nothing is written outside the cache's tree.
func TestForgedCacheIsRebuilt(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "umoci")
	project := copyExample(t, t.TempDir())
	clean := krust(t, project, nil, glibcScratch...)
	dir := ociRef(t, clean, "latest")
	want := manifestFor(t, dir, "latest").Digest
	m := imageFor(t, dir, "latest")
	layer, config := m.Layers[len(m.Layers)-1], m.Config
	diffID := configFor(t, dir, "latest").RootFS.DiffIDs[len(m.Layers)-1]
	cacheDir := filepath.Join(project, "target", "krust", ".cache", "layers")
	entries, _ := filepath.Glob(filepath.Join(cacheDir, "*.json"))
	if len(entries) != 1 {
		t.Fatalf("cache entries after a clean build: %v, want one", entries)
	}
	entry := entries[0]
	// Forgeries start from the clean entry, whatever the subtests before
	// left in its place.
	cleanEntry, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	linkCacheDir := func(t *testing.T, to string) {
		t.Helper()
		if err := os.RemoveAll(cacheDir); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(to, cacheDir); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name string
		// forge forges; outside is a directory out of the cache's tree.
		forge func(t *testing.T, outside string)
		warn  string
	}{
		{"wrong diffID", func(t *testing.T, _ string) {
			forgeEntry(t, cleanEntry, entry, diffID.String(), digest.FromString("another tar stream").String())
		}, "layer cache entry " + entry + " not used"},
		{"another intact blob of the layout", func(t *testing.T, _ string) {
			forgeEntry(t, cleanEntry, entry, descJSON(layer), descJSON(config))
		}, "layer cache entry " + entry + " not used"},
		{"a FIFO in place of the entry", func(t *testing.T, _ string) {
			if err := os.RemoveAll(entry); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(entry, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "layer cache entry " + entry + " not used"},
		{"cache directory a link to an empty directory out of the tree", func(t *testing.T, outside string) {
			linkCacheDir(t, outside)
		}, "the layer cache is not used: " + cacheDir + " is a symbolic link"},
		{"cache directory a link to a forged entry out of the tree", func(t *testing.T, outside string) {
			// Reading it would give a lying image.
			forgeEntry(t, cleanEntry, filepath.Join(outside, filepath.Base(entry)), diffID.String(), digest.FromString("forged").String())
			linkCacheDir(t, outside)
		}, "the layer cache is not used: " + cacheDir + " is a symbolic link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outside := t.TempDir()
			tt.forge(t, outside)
			before := listing(t, outside)
			res := krustWithin(t, 5*time.Minute, project, nil, glibcScratch...)
			ociRef(t, res, "latest")
			if got := manifestFor(t, dir, "latest").Digest; got != want {
				t.Errorf("after the forgery the image is %s, a clean build gave %s", got, want)
			}
			if res.stdout != clean.stdout {
				t.Errorf("stdout %q, a clean build printed %q", res.stdout, clean.stdout)
			}
			if !strings.Contains(res.stderr, "warning: "+tt.warn) {
				t.Errorf("stderr does not warn %q:\n%s", tt.warn, res.stderr)
			}
			if u := run(t, "", nil, "umoci", "unpack", "--rootless", "--image", dir+":latest", filepath.Join(t.TempDir(), "bundle")); u.code != 0 {
				t.Errorf("umoci unpack rejects the image: exit %d\n%s", u.code, u.stderr)
			}
			validateLayout(t, dir)
			if after := listing(t, outside); after != before {
				t.Errorf("the build wrote outside the cache's tree, into %s:\nbefore: %s\nafter:  %s", outside, before, after)
			}
		})
	}
}

// forgeEntry writes to dst the entry data with old replaced by new, in
// place of whatever is there.
func forgeEntry(t *testing.T, data []byte, dst, old, new string) {
	t.Helper()
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("the entry holds no %s:\n%s", old, data)
	}
	if err := os.RemoveAll(dst); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, bytes.ReplaceAll(data, []byte(old), []byte(new)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// descJSON is how a descriptor's digest and size read in a cache entry.
func descJSON(d ocispec.Descriptor) string {
	return fmt.Sprintf(`"digest":"%s","size":%d`, d.Digest, d.Size)
}

// listing names every file under dir with its type, size and content
// digest, so that a test sees anything written there.
func listing(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %s %d", p, info.Mode(), info.Size())
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %s", digest.FromBytes(data))
		}
		b.WriteString("; ")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
