package layout

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxIndexSize bounds the index.json we are willing to read.
const maxIndexSize = 4 << 20

// emptyIndex returns an image index with no manifests.
func emptyIndex() ocispec.Index {
	idx := ocispec.Index{MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{}}
	idx.SchemaVersion = 2
	return idx
}

// readIndexFile reads and validates an index.json file.
func readIndexFile(path string) (ocispec.Index, error) {
	data, err := readFileLimit(path, maxIndexSize)
	if err != nil {
		return ocispec.Index{}, err
	}
	var idx ocispec.Index
	if err := json.Unmarshal(data, &idx); err != nil {
		return ocispec.Index{}, fmt.Errorf("parse %s: %w: %w", path, ErrInvalidLayout, err)
	}
	if err := validateIndex(idx); err != nil {
		return ocispec.Index{}, fmt.Errorf("%s: %w: %w", path, ErrInvalidLayout, err)
	}
	if idx.Manifests == nil {
		idx.Manifests = []ocispec.Descriptor{}
	}
	return idx, nil
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

// writeIndexFile atomically replaces dir/index.json with idx.
func writeIndexFile(dir string, idx ocispec.Index) error {
	if idx.Manifests == nil {
		idx.Manifests = []ocispec.Descriptor{}
	}
	data, err := json.Marshal(idx)
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Join(dir, indexFile), err)
	}
	return writeFileAtomic(dir, indexFile, data)
}
