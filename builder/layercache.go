package builder

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/cachedir"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

const (
	// layerCacheVersion is bumped when what an entry means changes: 2
	// keys entries on the layer's diffID and proves each with an image of
	// the layout (version 1 entries are never looked up again).
	layerCacheVersion = 2
	// maxCacheEntrySize bounds what is read of an entry (they are ~600
	// bytes): anything larger is damage, and ignored.
	maxCacheEntrySize = 16 << 10
)

// layerKey is every input that shapes the bytes of a layer: the digest
// of its uncompressed tar stream (its entries' content, paths, types,
// modes, link targets and mtime in the image) and how it is compressed.
// krust recomputes the diffID from the layer's files (the executable) on
// every build, so an entry is found only under the key of the layer it
// is asked for.
type layerKey struct {
	Version int           `json:"version"`
	DiffID  digest.Digest `json:"diffID"`
	Format  string        `json:"format"`
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
// checked against what was asked for, the layer it gave and the image of
// the layout that proves the layer has the key's diffID (see
// layercache_check.go).
type layerEntry struct {
	Key   layerKey           `json:"key"`
	Layer ocispec.Descriptor `json:"layer"`
	Proof *layerProof        `json:"proof,omitempty"`
	// Blob is the stamp of the layer's blob file when its content was
	// last known to match the digest (written or verified by krust).
	Blob *layout.BlobStamp `json:"blob,omitempty"`
}

// layerProof names an image manifest of the layout whose layer Index is
// the entry's layer and whose config gives that layer the key's diffID.
type layerProof struct {
	Manifest ocispec.Descriptor `json:"manifest"`
	Index    int                `json:"index"`
}

// layerCache maps the layers an image adds (the executable's, and any
// other) to the blobs already built from them, so that an unchanged layer
// is never compressed again; each layer of an image has its own entry,
// looked up and checked on its own. Entries live in files under
// layerCacheDir, one per key, replaced atomically; an entry
// is used only when each of its claims checks out (check), otherwise it
// is a miss, said in a warning, and the layer is built and the entry
// written again. New entries are kept in memory until save, which the
// build calls once its images are in the layout, so a failed build
// leaves none; save also keeps the cache within layerCacheMaxEntries
// (prune). It is safe for concurrent use.
type layerCache struct {
	// target is cargo's target directory, the tree the cache lives in
	// (see openDir); "" disables the cache.
	target string
	log    io.Writer
	// compression is how new layers are compressed; its Fingerprint
	// (algorithm, library and version, level) is part of every key.
	compression oci.Compression
	// compressed, when not nil, is called each time a layer is built
	// rather than taken from the cache (tests count the calls).
	compressed func()

	mu sync.Mutex
	// pending holds, by layer digest, the entries to write or to check
	// against the build's manifests in save.
	pending map[digest.Digest]*pendingEntry
	// refused is set once the cache directory was refused (and said so).
	refused bool
	// held are the locks of the layers being built (see hold).
	held map[layerKey]*sync.Mutex
}

// pendingEntry is an entry save may write: dirty when it differs from
// what the cache holds.
type pendingEntry struct {
	entry  layerEntry
	dirty  bool
	proven bool
}

// layerCacheRel is where a project's layer cache lives under cargo's
// target directory: beside the default layouts, under a name no package
// can have (cargo package names cannot start with a dot), so it never
// collides with a layout. Deleting it only costs the next build a
// compression.
const layerCacheRel = cachedir.Root + "/layers"

// layerCacheDir is the path of proj's layer cache.
func layerCacheDir(proj *cargo.Project) string {
	if proj == nil || proj.TargetDir == "" {
		return ""
	}
	return filepath.Join(proj.TargetDir, filepath.FromSlash(layerCacheRel))
}

// newLayerCache returns the layer cache of proj ("" target: none).
func newLayerCache(proj *cargo.Project, log io.Writer, c oci.Compression, compressed func()) *layerCache {
	lc := &layerCache{log: log, compression: c, compressed: compressed}
	if proj != nil {
		lc.target = proj.TargetDir
	}
	return lc
}

// layer returns src's layer, its entries stamped with created, from the
// cache when an entry for the same diffID checks out, else built into
// store.
func (c *layerCache) layer(ctx context.Context, store *layout.Layout, src layerSource, created time.Time) (oci.Layer, error) {
	opened, err := src.open()
	if err != nil {
		return oci.Layer{}, err
	}
	defer opened.Close()
	defer opened.stopOn(ctx)()
	if c.target != "" {
		diffID, err := oci.DiffID(opened.files, created)
		if err != nil {
			return oci.Layer{}, fmt.Errorf("read %s %s: %w", src.what, src.from, err)
		}
		defer c.hold(c.key(diffID))()
		if layer, ok := c.built(c.key(diffID)); ok {
			return layer, nil // another platform's image has it too
		}
		if layer, ok := c.lookup(ctx, store, c.key(diffID)); ok {
			logf(c.log, "layer for %s taken from the cache (%s, diffID %s)\n", src.name, layer.Descriptor.Digest, diffID)
			return layer, nil
		}
		if err := ctx.Err(); err != nil {
			return oci.Layer{}, err
		}
		if err := opened.rewind(); err != nil {
			return oci.Layer{}, fmt.Errorf("read %s %s: %w", src.what, src.from, err)
		}
	}
	layer, err := writeLayer(store, opened.files, created, c.compression)
	if err != nil {
		return oci.Layer{}, fmt.Errorf("write layer for %s: %w", src.from, err)
	}
	if c.compressed != nil {
		c.compressed()
	}
	if c.target != "" {
		// The key is the diffID of the bytes that went into the layer, so
		// a file that changed meanwhile is never cached under the
		// digest read before.
		e := layerEntry{Key: c.key(layer.DiffID), Layer: layer.Descriptor}
		if stamp, err := store.Stamp(layer.Descriptor.Digest); err == nil {
			e.Blob = &stamp
		}
		c.remember(e, true)
	}
	return layer, nil
}

func (c *layerCache) key(diffID digest.Digest) layerKey {
	return layerKey{Version: layerCacheVersion, DiffID: diffID, Format: c.compression.Fingerprint()}
}

// built returns the layer of key that this build already wrote or took
// from the cache: the files layer is the same in every platform's image.
func (c *layerCache) built(key layerKey) (oci.Layer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.pending {
		if p.entry.Key == key {
			return oci.Layer{Descriptor: p.entry.Layer, DiffID: key.DiffID}, true
		}
	}
	return oci.Layer{}, false
}

// hold makes the images that share a layer take turns at it, so that
// the first builds it and the others find it built; the returned func
// lets the next one in.
func (c *layerCache) hold(key layerKey) func() {
	c.mu.Lock()
	if c.held == nil {
		c.held = map[layerKey]*sync.Mutex{}
	}
	m := c.held[key]
	if m == nil {
		m = &sync.Mutex{}
		c.held[key] = m
	}
	c.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// remember keeps e for save; dirty says it must be written.
func (c *layerCache) remember(e layerEntry, dirty bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil {
		c.pending = map[digest.Digest]*pendingEntry{}
	}
	if p := c.pending[e.Layer.Digest]; p != nil {
		dirty = dirty || p.dirty
	}
	c.pending[e.Layer.Digest] = &pendingEntry{entry: e, dirty: dirty}
}

// save writes the entries of the layers built since the cache was made,
// each proven by the first of manifests (the build's images, already in
// store) that lists its layer with its diffID; a layer taken from the
// cache gets its entry written again only when its proof or its blob's
// stamp changed. A failure is only a warning: the next build compresses
// again.
func (c *layerCache) save(ctx context.Context, store *layout.Layout, manifests []ocispec.Descriptor) {
	c.mu.Lock()
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	for _, desc := range manifests {
		c.prove(ctx, store, desc, pending)
	}
	var dirty []*pendingEntry
	for _, p := range pending {
		if p.dirty {
			dirty = append(dirty, p)
		}
	}
	if len(dirty) == 0 {
		return
	}
	slices.SortFunc(dirty, func(a, b *pendingEntry) int { return cmp.Compare(a.entry.Layer.Digest, b.entry.Layer.Digest) })
	dir := c.openDir(true)
	if dir == nil {
		return
	}
	defer dir.Close()
	for _, p := range dirty {
		err := errNoProof
		if p.proven {
			err = writeLayerEntry(dir, p.entry)
		}
		if err != nil {
			logf(c.log, "warning: could not cache the layer %s (the next build compresses it again): %v\n", p.entry.Layer.Digest, err)
		}
	}
	prune(dir, time.Now())
}
