package layout

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Limits on index.json, the same for reading and writing, so that krust
// never writes an index it then refuses to read. A CI that tags every
// commit reaches 20,000 tags (about 5 MB) over years; MaxIndexEntries is
// five times that, and MaxIndexBytes holds it (an entry krust writes is
// about 260 bytes). They stay because index.json may come from anyone (a
// base layout, a layout handed over for pushing), and they bound what it
// can cost: decoding a hostile 32 MiB index.json (one entry with millions
// of tiny annotations) leaves 245 MiB on the heap, 20,000 real tags (5 MB)
// 18 MiB.
const (
	// MaxIndexBytes is the largest index.json krust reads or writes.
	MaxIndexBytes = 32 << 20
	// MaxIndexEntries is the most entries (tags and untagged images) an
	// index.json may hold.
	MaxIndexEntries = 100_000
)

// emptyIndex returns an image index with no manifests.
func emptyIndex() ocispec.Index {
	idx := ocispec.Index{MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{}}
	idx.SchemaVersion = 2
	return idx
}

// readIndexFile reads and validates an index.json file.
func readIndexFile(path string) (ocispec.Index, error) {
	data, err := readFileLimit(path, MaxIndexBytes)
	if errors.Is(err, ErrTooLarge) {
		return ocispec.Index{}, fmt.Errorf("%w (krust reads index.json up to %d MiB)", err, MaxIndexBytes>>20)
	}
	if err != nil {
		return ocispec.Index{}, err
	}
	var idx ocispec.Index
	if err := json.Unmarshal(data, &idx); err != nil {
		return ocispec.Index{}, fmt.Errorf("parse %s: %w: %w", path, ErrInvalidLayout, err)
	}
	if err := checkEntries(path, len(idx.Manifests)); err != nil {
		return ocispec.Index{}, err
	}
	if err := validateIndex(idx); err != nil {
		return ocispec.Index{}, fmt.Errorf("%s: %w: %w", path, ErrInvalidLayout, err)
	}
	if idx.Manifests == nil {
		idx.Manifests = []ocispec.Descriptor{}
	}
	return idx, nil
}

// checkEntries refuses an index with more than MaxIndexEntries entries.
func checkEntries(path string, n int) error {
	if n > MaxIndexEntries {
		return fmt.Errorf("%s: %d entries, more than the %d krust reads: %w", path, n, MaxIndexEntries, ErrTooLarge)
	}
	return nil
}

// validateIndex checks the schema version and every descriptor of an index.
func validateIndex(idx ocispec.Index) error {
	if idx.SchemaVersion != 2 {
		return fmt.Errorf("unsupported schemaVersion %d", idx.SchemaVersion)
	}
	for i, desc := range idx.Manifests {
		if err := validateDescriptor(desc); err != nil {
			return fmt.Errorf("manifests[%d]: %w", i, err)
		}
	}
	return nil
}

// writeIndexFile atomically replaces dir/index.json with idx. An index
// beyond MaxIndexEntries or MaxIndexBytes is refused with ErrTooLarge and
// the file left as it was: readIndexFile would refuse it.
func writeIndexFile(dir string, idx ocispec.Index) error {
	path := filepath.Join(dir, indexFile)
	if idx.Manifests == nil {
		idx.Manifests = []ocispec.Descriptor{}
	}
	if err := checkEntries(path, len(idx.Manifests)); err != nil {
		return fmt.Errorf("refusing to write: %w (remove old tags, or use another layout)", err)
	}
	data, err := json.Marshal(idx)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if len(data) > MaxIndexBytes {
		return fmt.Errorf("refusing to write %s: %d bytes, more than the %d MiB krust reads: %w (remove old tags, or use another layout)",
			path, len(data), MaxIndexBytes>>20, ErrTooLarge)
	}
	return writeFileAtomic(dir, indexFile, data)
}
