package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/atomicfile"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

const (
	// layerCacheVersion is bumped when what an entry means changes.
	layerCacheVersion = 1
	// maxCacheEntrySize bounds what is read of an entry (they are ~500
	// bytes): anything larger is damage, and ignored.
	maxCacheEntrySize = 16 << 10
	// exeMode is the executable's mode in the layer.
	exeMode = 0o755
)

// layerKey is every input that shapes the layer of one executable: the
// same key gives the same layer bytes.
type layerKey struct {
	Version    int           `json:"version"`
	Executable digest.Digest `json:"executable"`
	Path       string        `json:"path"`
	Mode       int64         `json:"mode"`
	ModTime    string        `json:"mtime"`
	Format     string        `json:"format"`
}

// name is the entry's file name: the key's own digest, so that entries
// are content addressed and builds that agree on a key write the same
// file.
func (k layerKey) name() string {
	data, _ := json.Marshal(k)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]) + ".json"
}

// layerEntry is one cache file: the key, repeated so that an entry is
// checked against what was asked for, and the layer it gave.
type layerEntry struct {
	Key    layerKey           `json:"key"`
	Layer  ocispec.Descriptor `json:"layer"`
	DiffID digest.Digest      `json:"diffID"`
	// Blob is the stamp of the layer's blob file when its content was
	// last known to match the digest (written or verified by krust).
	Blob *layout.BlobStamp `json:"blob,omitempty"`
}

// layerCache maps executables to the layers already built from them, so
// that an unchanged executable is never compressed again. Entries live in
// files under dir, one per key, replaced atomically; a missing, damaged or
// foreign entry is a miss, and so is one whose blob is not in the layout
// with its size. New entries are kept in memory until save, which the
// build calls once it has succeeded, so a failed build leaves none. It is
// safe for concurrent use.
type layerCache struct {
	// dir holds the entries; "" disables the cache.
	dir string
	log io.Writer
	// compression is how new layers are compressed; its Fingerprint
	// (algorithm, library and version, level) is part of every key.
	compression oci.Compression
	// compressed, when not nil, is called each time a layer is built
	// rather than taken from the cache (tests count the calls).
	compressed func()

	mu      sync.Mutex
	pending []layerEntry
}

// layerCacheDir is where a project's layer cache lives: in cargo's target
// directory, beside the default layouts, under a name no package can have
// (cargo package names cannot start with a dot), so it never collides with
// a layout. Deleting it only costs the next build a compression.
func layerCacheDir(proj *cargo.Project) string {
	if proj == nil || proj.TargetDir == "" {
		return ""
	}
	return filepath.Join(proj.TargetDir, "krust", ".cache", "layers")
}

// layer returns the layer holding art's executable at /app/BIN stamped
// with created, from the cache when an entry for the same inputs names a
// blob the layout holds, else built into store.
func (c *layerCache) layer(ctx context.Context, store *layout.Layout, art cargo.Artifact, created time.Time) (oci.Layer, error) {
	f, err := os.Open(art.Path)
	if err != nil {
		return oci.Layer{}, fmt.Errorf("read the built executable: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return oci.Layer{}, fmt.Errorf("read the built executable: %w", err)
	}
	file := oci.File{Path: path.Join(appDir, art.Bin), Mode: exeMode, Size: info.Size(), Content: f}
	if c.dir != "" {
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return oci.Layer{}, fmt.Errorf("read the built executable %s: %w", art.Path, err)
		}
		key := c.key(file, h, created)
		if layer, ok := c.lookup(ctx, store, key); ok {
			logf(c.log, "layer for /%s taken from the cache (%s, executable %s)\n", file.Path, layer.Descriptor.Digest, key.Executable)
			return layer, nil
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return oci.Layer{}, fmt.Errorf("read the built executable %s: %w", art.Path, err)
		}
	}
	// The key is taken from the bytes that go into the layer, so that an
	// executable that changes meanwhile is never cached under its old
	// digest.
	h := sha256.New()
	file.Content = io.TeeReader(f, h)
	layer, err := writeLayer(store, file, created, c.compression)
	if err != nil {
		return oci.Layer{}, fmt.Errorf("write layer for %s: %w", art.Path, err)
	}
	if c.compressed != nil {
		c.compressed()
	}
	if c.dir != "" {
		c.mu.Lock()
		e := layerEntry{Key: c.key(file, h, created), Layer: layer.Descriptor, DiffID: layer.DiffID}
		if stamp, err := store.Stamp(layer.Descriptor.Digest); err == nil {
			e.Blob = &stamp
		}
		c.pending = append(c.pending, e)
		c.mu.Unlock()
	}
	return layer, nil
}

func (c *layerCache) key(f oci.File, exe hash.Hash, created time.Time) layerKey {
	return layerKey{
		Version:    layerCacheVersion,
		Executable: digest.NewDigest(digest.SHA256, exe),
		Path:       f.Path,
		Mode:       f.Mode,
		ModTime:    created.UTC().Format(time.RFC3339Nano),
		Format:     c.compression.Fingerprint(),
	}
}

// lookup returns the cached layer for key if its entry is intact and the
// layout holds its blob with the right content. The content is hashed
// only when the blob file is not the one the entry recorded (its stamp
// differs: it was rewritten, replaced or touched since), so a no-op
// build pays a stat, not a read of the layer, while a blob someone
// changed is caught as on every other reuse and the layer is built
// again. A blob that verifies gets its new stamp recorded.
func (c *layerCache) lookup(ctx context.Context, store *layout.Layout, key layerKey) (oci.Layer, bool) {
	e, err := readLayerEntry(filepath.Join(c.dir, key.name()))
	if err != nil || e.Key != key {
		return oci.Layer{}, false
	}
	if e.Layer.Digest.Validate() != nil || e.DiffID.Validate() != nil || e.Layer.MediaType == "" || e.Layer.Size <= 0 {
		return oci.Layer{}, false
	}
	desc := ocispec.Descriptor{MediaType: e.Layer.MediaType, Digest: e.Layer.Digest, Size: e.Layer.Size}
	stamp, err := store.Stamp(desc.Digest)
	if err != nil || stamp.Size != desc.Size {
		return oci.Layer{}, false
	}
	if e.Blob == nil || !stamp.Trusted() || *e.Blob != stamp {
		if ok, err := store.Exists(ctx, desc); err != nil || !ok {
			return oci.Layer{}, false
		}
		e.Blob = &stamp
		c.mu.Lock()
		c.pending = append(c.pending, e)
		c.mu.Unlock()
	}
	return oci.Layer{Descriptor: desc, DiffID: e.DiffID}, true
}

// readLayerEntry reads one entry, bounded; a truncated or damaged one is
// an error, which the caller treats as a miss.
func readLayerEntry(name string) (layerEntry, error) {
	f, err := os.Open(name)
	if err != nil {
		return layerEntry{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCacheEntrySize+1))
	if err != nil {
		return layerEntry{}, err
	}
	if len(data) > maxCacheEntrySize {
		return layerEntry{}, errors.New("cache entry too large")
	}
	var e layerEntry
	err = json.Unmarshal(data, &e)
	return e, err
}

// save writes the entries of the layers built since the cache was made.
// A failure is only a warning: the next build compresses again.
func (c *layerCache) save() {
	c.mu.Lock()
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, e := range pending {
		if err := c.write(e); err != nil {
			logf(c.log, "warning: could not cache the layer %s (the next build compresses it again): %v\n", e.Layer.Digest, err)
		}
	}
}

func (c *layerCache) write(e layerEntry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(c.dir, e.Key.name()), append(data, '\n'), 0o644)
}
