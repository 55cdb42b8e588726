package builder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/docker-krust/docker-krust/internal/cachedir"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// What a cache entry may claim, and why krust believes it.
//
// Threat model. The cache lives in cargo's target directory. Whoever can
// write there (another user of a shared target directory, a CI cache
// restored from an untrusted branch, a damaged disk, an interrupted copy)
// can put anything in the cache directory: any bytes in an entry, an
// entry naming any blob of the layout with any size and diffID, a FIFO,
// socket, directory or symbolic link in place of an entry or of the
// directory itself. We assume nobody can forge SHA-256 (find other
// content for a digest).
//
// So an entry is used only when each of its claims checks out, and
// anything else is a miss, said in a warning that names the entry:
//   - It is read through an os.Root on the cache directory, with the
//     non-blocking open of internal/regular: a FIFO, socket, device or
//     directory in its place is refused at once, and so is a link that
//     leads out of the directory; the directory itself is reached from
//     cargo's target directory without following any link (openDir).
//   - Its key holds the layer's diffID, which krust has just computed
//     from the executable (oci.DiffID: one SHA-256 pass, about 0.07 s per
//     100 MiB, what hashing the executable cost before): an entry for any
//     other tar stream, or another compression, is refused.
//   - Its layer is a blob the layout holds with that size, whose content
//     matches its digest: hashed, unless the blob file's stamp (inode,
//     size, mtime, ctime) is the one recorded when krust last wrote or
//     verified it. Any write to the file changes its ctime, which cannot
//     be set back, so an unchanged stamp means unchanged content.
//   - That blob is the compression of a tar stream with that diffID.
//     Checking so directly means decompressing the layer, several times
//     the 0.2 s a no-op rebuild may add. Instead the entry names a proof:
//     an image manifest in the layout (content addressed, read verified)
//     whose layer N is the blob, and whose config (named by the manifest,
//     read verified) gives layer N the diffID. save writes an entry only
//     with such a pair, read back from the images krust has just written
//     around the layer it compressed itself. A forged entry can name only
//     pairs already in the layout, which say what they say: pointing the
//     entry at another blob, or giving it another diffID, breaks the pair.
//
// What this does not stop, so that nobody believes otherwise:
//   - A writer of the layout's blobs can add a manifest and config that
//     lie, and an entry naming them. Such a writer can write cargo's target
//     directory too, so it can already change the executable cargo hands
//     krust (cargo trusts its own outputs and fingerprints there): the
//     cache gives it nothing more. A layout outside the target directory
//     can be lied about by a writer of the cache alone only through a base
//     image whose config lies about its own layers and names, as one of
//     their diffIDs, the exact diffID of the executable being built.
//   - The stamp in an entry can be copied from the blob file by a writer of
//     the cache; it then spares the hash of a blob whose content changed
//     without its stamp changing, which takes tampering with the clock or
//     the disk. Every push and export reads blobs verified anyway.

// errNoProof is save's complaint about a layer none of the build's images
// lists with its diffID (which would be a bug: the build just wrote one).
var errNoProof = errors.New("no image of the layout lists it with its diffID")

// lookup returns the cached layer for key if its entry checks out. A
// missing entry is a silent miss; one that does not check out is a miss
// with a warning naming it and the claim that failed.
func (c *layerCache) lookup(ctx context.Context, store *layout.Layout, key layerKey) (oci.Layer, bool) {
	dir := c.openDir(false)
	if dir == nil {
		return oci.Layer{}, false
	}
	defer dir.Close()
	name := key.name()
	e, err := readLayerEntry(dir, name)
	if errors.Is(err, fs.ErrNotExist) {
		return oci.Layer{}, false
	}
	var stale bool
	if err == nil {
		stale, err = c.check(ctx, store, key, &e)
	}
	if err != nil {
		if ctx.Err() == nil {
			logf(c.log, "warning: layer cache entry %s not used: %v; compressing the layer again\n", filepath.Join(dir.Name(), name), err)
		}
		return oci.Layer{}, false
	}
	c.remember(e, stale)
	return oci.Layer{Descriptor: e.Layer, DiffID: key.DiffID}, true
}

// check checks each claim of e (see the threat model above) and returns
// an error naming the first that fails. stale reports that the blob's
// stamp changed and was verified again, so the entry is worth writing
// again with it.
func (c *layerCache) check(ctx context.Context, store *layout.Layout, key layerKey, e *layerEntry) (stale bool, err error) {
	if e.Key != key {
		return false, fmt.Errorf("it is for the layer %s (format %q, version %d), not %s", e.Key.DiffID, e.Key.Format, e.Key.Version, key.DiffID)
	}
	want := c.compression.MediaType()
	if e.Layer.MediaType != want || e.Layer.Size <= 0 || e.Layer.Digest.Validate() != nil {
		return false, fmt.Errorf("its layer (%q, %d bytes, media type %q) is not a valid %s layer", e.Layer.Digest, e.Layer.Size, e.Layer.MediaType, want)
	}
	e.Layer = ocispec.Descriptor{MediaType: e.Layer.MediaType, Digest: e.Layer.Digest, Size: e.Layer.Size}
	if err := checkProof(ctx, store, key, *e); err != nil {
		return false, err
	}
	return checkBlob(ctx, store, e)
}

// checkProof checks that the image e's proof names lists e's layer with
// key's diffID.
func checkProof(ctx context.Context, store *layout.Layout, key layerKey, e layerEntry) error {
	if e.Proof == nil || e.Proof.Manifest.MediaType != ocispec.MediaTypeImageManifest {
		return errors.New("it names no image manifest that lists its layer")
	}
	p := *e.Proof
	var m ocispec.Manifest
	if err := oci.ReadJSON(ctx, store, p.Manifest, oci.MaxManifestSize, &m); err != nil {
		return fmt.Errorf("its image manifest: %w", err)
	}
	if p.Index < 0 || p.Index >= len(m.Layers) {
		return fmt.Errorf("its image manifest %s has no layer %d", p.Manifest.Digest, p.Index)
	}
	if l := m.Layers[p.Index]; l.Digest != e.Layer.Digest || l.Size != e.Layer.Size || l.MediaType != e.Layer.MediaType {
		return fmt.Errorf("its image manifest %s lists %s (%d bytes) as layer %d, not %s (%d bytes)", p.Manifest.Digest, l.Digest, l.Size, p.Index, e.Layer.Digest, e.Layer.Size)
	}
	var cfg ocispec.Image
	if err := oci.ReadJSON(ctx, store, m.Config, oci.MaxConfigSize, &cfg); err != nil {
		return fmt.Errorf("the config of its image manifest %s: %w", p.Manifest.Digest, err)
	}
	if ids := cfg.RootFS.DiffIDs; p.Index >= len(ids) || ids[p.Index] != key.DiffID {
		return fmt.Errorf("the config %s of its image manifest %s does not give layer %d the diffID %s", m.Config.Digest, p.Manifest.Digest, p.Index, key.DiffID)
	}
	return nil
}

// checkBlob checks that the layout holds e's layer, hashing it unless its
// stamp is the one e recorded (and stamps can be trusted here), and
// records a new stamp in e; stale reports that it changed.
func checkBlob(ctx context.Context, store *layout.Layout, e *layerEntry) (stale bool, err error) {
	stamp, err := store.Stamp(e.Layer.Digest)
	if err != nil {
		return false, fmt.Errorf("the layout does not hold its layer: %w", err)
	}
	if stamp.Size != e.Layer.Size {
		return false, fmt.Errorf("the layout's blob %s is %d bytes, not %d", e.Layer.Digest, stamp.Size, e.Layer.Size)
	}
	same := e.Blob != nil && *e.Blob == stamp
	if same && stamp.Trusted() {
		return false, nil
	}
	ok, err := store.Exists(ctx, e.Layer)
	if err != nil {
		return false, fmt.Errorf("check its layer: %w", err)
	}
	if !ok {
		return false, fmt.Errorf("the layout's blob %s does not match its digest", e.Layer.Digest)
	}
	e.Blob = &stamp
	return !same, nil
}

// prove sets, on the pending entries of layers that the image manifest
// desc lists with their diffID, the proof it gives, unless an earlier
// manifest gave one.
func (c *layerCache) prove(ctx context.Context, store *layout.Layout, desc ocispec.Descriptor, pending map[digest.Digest]*pendingEntry) {
	var m ocispec.Manifest
	var cfg ocispec.Image
	if oci.ReadJSON(ctx, store, desc, oci.MaxManifestSize, &m) != nil || oci.ReadJSON(ctx, store, m.Config, oci.MaxConfigSize, &cfg) != nil {
		return
	}
	for i, l := range m.Layers {
		p := pending[l.Digest]
		if p == nil || p.proven || i >= len(cfg.RootFS.DiffIDs) || cfg.RootFS.DiffIDs[i] != p.entry.Key.DiffID ||
			l.Size != p.entry.Layer.Size || l.MediaType != p.entry.Layer.MediaType {
			continue
		}
		proof := layerProof{Manifest: ocispec.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size}, Index: i}
		if p.entry.Proof == nil || !p.entry.Proof.same(proof) {
			p.entry.Proof, p.dirty = &proof, true
		}
		p.proven = true
	}
}

// readLayerEntry reads the entry name of the cache directory dir,
// bounded and refusing anything but a regular file inside dir; a
// truncated or damaged one is an error.
func readLayerEntry(dir *os.Root, name string) (layerEntry, error) {
	data, err := cachedir.Read(dir, name, maxCacheEntrySize)
	if err != nil {
		return layerEntry{}, err
	}
	var e layerEntry
	if err := json.Unmarshal(data, &e); err != nil {
		return layerEntry{}, fmt.Errorf("it is damaged: %w", err)
	}
	return e, nil
}

// writeLayerEntry replaces e's entry in the cache directory dir
// atomically, never following a link.
func writeLayerEntry(dir *os.Root, e layerEntry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return cachedir.Write(dir, e.Key.name(), append(data, '\n'))
}

// same reports whether p and q name the same layer of the same manifest.
func (p layerProof) same(q layerProof) bool {
	return p.Index == q.Index && p.Manifest.Digest == q.Manifest.Digest &&
		p.Manifest.Size == q.Manifest.Size && p.Manifest.MediaType == q.Manifest.MediaType
}
