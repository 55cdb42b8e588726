package builder

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// lie is a cache after a clean build, for a test to forge.
type lie struct {
	entry, cacheDir, layoutDir string
	// layer is the image's new layer, config its config blob, manifest
	// the image manifest, diffID the layer's diffID.
	layer, config, manifest ocispec.Descriptor
	diffID                  digest.Digest
	// other is the layer of another image in the same layout (another
	// executable), and otherManifest that image's manifest.
	other, otherManifest ocispec.Descriptor
	// outside is a directory out of the cache's tree.
	outside string
}

// rewrite replaces old with new in the entry's bytes; the forgeries are
// written so as to hold whatever the entry's format.
func (l *lie) rewrite(t *testing.T, pairs ...string) {
	t.Helper()
	data, err := os.ReadFile(l.entry)
	mustDo(t, err)
	for i := 0; i < len(pairs); i += 2 {
		if !bytes.Contains(data, []byte(pairs[i])) {
			t.Fatalf("the entry holds no %s:\n%s", pairs[i], data)
		}
		data = bytes.ReplaceAll(data, []byte(pairs[i]), []byte(pairs[i+1]))
	}
	mustDo(t, os.WriteFile(l.entry, data, 0o644))
}

// descJSON is how a descriptor's digest and size read in an entry.
func descJSON(d ocispec.Descriptor) string {
	return fmt.Sprintf(`"digest":"%s","size":%d`, d.Digest, d.Size)
}

// replaceWith puts something else in place of the entry.
func (l *lie) replaceWith(t *testing.T, make func(path string) error) {
	t.Helper()
	mustDo(t, os.Remove(l.entry))
	mustDo(t, make(l.entry))
}

// TestLyingCacheEntryIsRebuilt forges, after a clean build, each kind of
// lie a cache entry (or the cache directory) can tell, and builds again:
// each is a miss, said in a warning, and the layer is built again to the
// clean build's image digest, which go-containerregistry checks layer by
// layer (diffIDs included); nothing is written or read outside the cache's
// tree; and where the entry could be rewritten, a third build takes the
// layer from the cache again.
func TestLyingCacheEntryIsRebuilt(t *testing.T) {
	const notUsed = "not used"
	tests := []struct {
		name  string
		forge func(t *testing.T, l *lie)
		// warn is what the warning says besides the entry's path (or,
		// with dirWarning, instead of it).
		warn       string
		dirWarning bool
		// stuck: the cache cannot be written again (a directory in the
		// entry's place, a refused cache directory).
		stuck bool
	}{
		{name: "wrong diffID", warn: "it is for the layer", forge: func(t *testing.T, l *lie) {
			l.rewrite(t, l.diffID.String(), digest.FromString("another tar stream").String())
		}},
		{name: "another intact blob of the same size", warn: "lists", forge: func(t *testing.T, l *lie) {
			other := make([]byte, l.layer.Size)
			_, _ = rand.Read(other)
			desc := ocispec.Descriptor{MediaType: l.layer.MediaType, Digest: digest.FromBytes(other), Size: l.layer.Size}
			mustDo(t, mustOpen(t, l.layoutDir).Push(context.Background(), desc, bytes.NewReader(other)))
			l.rewrite(t, descJSON(l.layer), descJSON(desc))
		}},
		{name: "another image's layer", warn: "lists", forge: func(t *testing.T, l *lie) {
			l.rewrite(t, descJSON(l.layer), descJSON(l.other))
		}},
		{name: "another image's layer and manifest", warn: "does not give layer", forge: func(t *testing.T, l *lie) {
			l.rewrite(t, descJSON(l.layer), descJSON(l.other))
			if data, _ := os.ReadFile(l.entry); bytes.Contains(data, []byte(descJSON(l.manifest))) {
				l.rewrite(t, descJSON(l.manifest), descJSON(l.otherManifest))
			}
		}},
		{name: "the config blob, another size", warn: "lists", forge: func(t *testing.T, l *lie) {
			l.rewrite(t, descJSON(l.layer), descJSON(l.config))
		}},
		{name: "right digest, size one more", warn: "lists", forge: func(t *testing.T, l *lie) {
			l.rewrite(t, descJSON(l.layer), fmt.Sprintf(`"digest":"%s","size":%d`, l.layer.Digest, l.layer.Size+1))
		}},
		{name: "right digest, size one less", warn: "lists", forge: func(t *testing.T, l *lie) {
			l.rewrite(t, descJSON(l.layer), fmt.Sprintf(`"digest":"%s","size":%d`, l.layer.Digest, l.layer.Size-1))
		}},
		{name: "zstd media type", warn: "is not a valid " + ocispec.MediaTypeImageLayerGzip, forge: func(t *testing.T, l *lie) {
			l.rewrite(t, ocispec.MediaTypeImageLayerGzip, ocispec.MediaTypeImageLayerZstd)
		}},
		{name: "missing blob", warn: "does not hold its layer", forge: func(t *testing.T, l *lie) {
			mustDo(t, os.Remove(blobPath(l.layoutDir, l.layer)))
		}},
		{name: "missing image manifest", warn: "its image manifest", forge: func(t *testing.T, l *lie) {
			mustDo(t, os.Remove(blobPath(l.layoutDir, l.manifest)))
		}},
		{name: "truncated", warn: "damaged", forge: func(t *testing.T, l *lie) { mustDo(t, os.Truncate(l.entry, 40)) }},
		{name: "empty", warn: "damaged", forge: func(t *testing.T, l *lie) { mustDo(t, os.Truncate(l.entry, 0)) }},
		{name: "garbage", warn: "damaged", forge: func(t *testing.T, l *lie) {
			mustDo(t, os.WriteFile(l.entry, []byte("\x00\xff{not json"), 0o644))
		}},
		{name: "too large", warn: "more than the", forge: func(t *testing.T, l *lie) {
			data, err := os.ReadFile(l.entry)
			mustDo(t, err)
			mustDo(t, os.WriteFile(l.entry, append(data, bytes.Repeat([]byte(" "), maxCacheEntrySize)...), 0o644))
		}},
		{name: "FIFO", warn: "a named pipe (FIFO)", forge: func(t *testing.T, l *lie) {
			l.replaceWith(t, func(p string) error { return syscall.Mkfifo(p, 0o644) })
		}},
		{name: "socket", warn: "a socket", forge: func(t *testing.T, l *lie) {
			l.replaceWith(t, func(p string) error { return syscall.Mknod(p, syscall.S_IFSOCK|0o644, 0) })
		}},
		{name: "directory", warn: "a directory", stuck: true, forge: func(t *testing.T, l *lie) {
			l.replaceWith(t, func(p string) error { return os.Mkdir(p, 0o755) })
		}},
		{name: "symbolic link out of the tree", warn: "symbolic link to", forge: func(t *testing.T, l *lie) {
			// The entry outside is intact: reading it would be a hit.
			moved := filepath.Join(l.outside, "entry.json")
			mustDo(t, os.Rename(l.entry, moved))
			mustDo(t, os.Symlink(moved, l.entry))
		}},
		{name: "cache directory a link to another", dirWarning: true, stuck: true, warn: "is a symbolic link", forge: func(t *testing.T, l *lie) {
			// The entries outside are intact: reading them would be hits.
			mustDo(t, os.Remove(l.outside))
			mustDo(t, os.Rename(l.cacheDir, l.outside))
			mustDo(t, os.Symlink(l.outside, l.cacheDir))
		}},
		{name: "cache directory a link to an empty one", dirWarning: true, stuck: true, warn: "is a symbolic link", forge: func(t *testing.T, l *lie) {
			mustDo(t, os.RemoveAll(l.cacheDir))
			mustDo(t, os.Symlink(l.outside, l.cacheDir))
		}},
		{name: "parent of the cache directory a link", dirWarning: true, stuck: true, warn: "is a symbolic link", forge: func(t *testing.T, l *lie) {
			parent := filepath.Dir(l.cacheDir)
			mustDo(t, os.Remove(l.outside))
			mustDo(t, os.Rename(parent, l.outside))
			mustDo(t, os.Symlink(l.outside, parent))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			var compressed int
			opts.compressed = func() { compressed++ }
			l, clean := newLie(t, f, opts)
			tt.forge(t, l)
			before := snapshot(t, l.outside)
			var log bytes.Buffer
			opts.Log = &log
			second := runWithin(t, f, opts)
			if second.Root.Digest != clean {
				t.Errorf("after the forgery the image is %s, a clean build gives %s", second.Root.Digest, clean)
			}
			if compressed != 3 {
				t.Errorf("the layer was compressed %d times in the forged build, want 1 (it must not come from the cache)", compressed-2)
			}
			where := l.entry
			if tt.dirWarning {
				where = "layer cache is not used"
			}
			if w := warning(log.String(), where); !strings.Contains(w, tt.warn) || (!tt.dirWarning && !strings.Contains(w, notUsed)) {
				t.Errorf("no warning naming %s and saying %q; log:\n%s", where, tt.warn, log.String())
			}
			validateImage(t, l.layoutDir, second.Root.Digest)
			if after := snapshot(t, l.outside); after != before {
				t.Errorf("the build changed %s, outside the cache:\nbefore: %s\nafter:  %s", l.outside, before, after)
			}
			opts.Log = nil
			if third := runWithin(t, f, opts); third.Root.Digest != clean || (!tt.stuck && compressed != 3) {
				t.Errorf("the build after: %s (want %s), compressed %d times (want 3: the entry was not rewritten)", third.Root.Digest, clean, compressed)
			}
		})
	}
}

// Each platform's layer is proven by its own image manifest: a no-op
// rebuild of two platforms compresses nothing and writes no entry, and a
// rebuild with other annotations (other manifests, same layers) takes the
// layers from the cache and moves the proofs to the new manifests.
func TestCacheProofsFollowTheManifests(t *testing.T) {
	f, opts := newFake(t)
	opts.Platforms = []ocispec.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}
	var compressed int
	opts.compressed = func() { compressed++ }
	first := runWithin(t, f, opts)
	entries := func() string { return snapshot(t, layerCacheDir(&f.project)) }
	before := entries()
	if again := runWithin(t, f, opts); again.Root.Digest != first.Root.Digest || compressed != 2 {
		t.Fatalf("no-op rebuild of two platforms: %s (want %s), compressed %d times (want 2)", again.Root.Digest, first.Root.Digest, compressed)
	}
	if after := entries(); after != before {
		t.Errorf("a no-op rebuild rewrote cache entries:\nbefore: %s\nafter:  %s", before, after)
	}
	opts.Annotations = map[string]string{"org.example.build": "2"}
	second := runWithin(t, f, opts)
	if second.Root.Digest == first.Root.Digest || compressed != 2 {
		t.Fatalf("rebuild with an annotation: %s (first %s), compressed %d times (want 2)", second.Root.Digest, first.Root.Digest, compressed)
	}
	old, now := indexManifests(t, first), indexManifests(t, second)
	for _, e := range mustGlob(t, filepath.Join(layerCacheDir(&f.project), "*.json")) {
		data, err := os.ReadFile(e)
		mustDo(t, err)
		if bytes.Contains(data, []byte(old[0])) || bytes.Contains(data, []byte(old[1])) ||
			!(bytes.Contains(data, []byte(now[0])) || bytes.Contains(data, []byte(now[1]))) {
			t.Errorf("entry %s does not name one of the new manifests %v:\n%s", e, now, data)
		}
	}
}

// indexManifests returns the digests of the manifests of res's index.
func indexManifests(t *testing.T, res Result) []digest.Digest {
	t.Helper()
	var idx ocispec.Index
	mustDo(t, oci.ReadJSON(context.Background(), mustOpen(t, res.LayoutDir), res.Root, oci.MaxManifestSize, &idx))
	var ds []digest.Digest
	for _, m := range idx.Manifests {
		ds = append(ds, m.Digest)
	}
	if len(ds) != 2 {
		t.Fatalf("index %s lists %d manifests, want 2", res.Root.Digest, len(ds))
	}
	return ds
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	mustDo(t, err)
	if len(m) == 0 {
		t.Fatalf("nothing matches %s", pattern)
	}
	return m
}
