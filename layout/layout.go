// Package layout reads and writes OCI image layouts on disk
// (oci-layout, index.json, blobs/<alg>/<encoded>).
//
// Every file is written atomically (temp file, fsync, rename) so that a crash
// never leaves a corrupt layout, and index.json updates are serialised with
// an flock on the layout directory so that several processes may write to
// the same layout at once.
package layout

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	oras "oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
)

const (
	layoutFile = ocispec.ImageLayoutFile
	indexFile  = "index.json"
	blobsDir   = ocispec.ImageBlobsDir
	// maxLayoutFileSize bounds the oci-layout marker file we are willing to read.
	maxLayoutFileSize = 4 << 10
)

// Layout is an OCI image layout in a directory on disk. It is safe for
// concurrent use by several goroutines and processes.
type Layout struct {
	dir string
	// written, when not nil, records the blobs created through this handle:
	// a build writes through its Lease's handle so that, if it fails, it
	// knows which blobs are its own to remove (see Lease.Abandon).
	written *blobSet
}

// Open opens an existing OCI image layout. The directory must hold an
// oci-layout file with imageLayoutVersion "1.0.0" and a parsable index.json;
// otherwise the error wraps ErrNotLayout. Open only reads: a layout
// krust reads and never writes (a --base oci:DIR, one handed over for
// pushing) is left exactly as it is; Create and GC, which write, sweep
// away what dead writers left (see sweepLeftovers).
func Open(dir string) (*Layout, error) {
	dir = filepath.Clean(dir)
	if err := checkLayout(dir); err != nil {
		return nil, fmt.Errorf("open layout %s: %w: %w", dir, ErrNotLayout, err)
	}
	return &Layout{dir: dir}, nil
}

// Dir returns the layout's directory.
func (l *Layout) Dir() string {
	return l.dir
}

// checkLayout returns nil if dir holds a valid oci-layout and index.json.
func checkLayout(dir string) error {
	if err := checkLayoutFile(dir); err != nil {
		return err
	}
	_, err := readIndexFile(filepath.Join(dir, indexFile))
	return err
}

// checkLayoutFile verifies the oci-layout marker file in dir.
func checkLayoutFile(dir string) error {
	path := filepath.Join(dir, layoutFile)
	data, err := readFileLimit(path, maxLayoutFileSize)
	if err != nil {
		return err
	}
	var marker ocispec.ImageLayout
	if err := json.Unmarshal(data, &marker); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	if marker.Version != ocispec.ImageLayoutVersion {
		return fmt.Errorf("%s: unsupported imageLayoutVersion %q (want %q)",
			path, marker.Version, ocispec.ImageLayoutVersion)
	}
	return nil
}

// readFileLimit reads a whole file, failing with ErrTooLarge if it is larger
// than limit bytes, and with ErrNotRegular, without blocking, if it is not a
// regular file.
func readFileLimit(path string, limit int64) ([]byte, error) {
	f, _, err := openRegular(filepath.Dir(path), filepath.Base(path))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("read %s: larger than %d bytes: %w", path, limit, ErrTooLarge)
	}
	return data, nil
}

// notFound maps a "file does not exist" error to one that also wraps
// errdef.ErrNotFound, so errors.Is works with both.
func notFound(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %w", errdef.ErrNotFound, err)
	}
	return err
}

// layoutMarker is the content of a new oci-layout file.
func layoutMarker() []byte {
	data, _ := json.Marshal(ocispec.ImageLayout{Version: ocispec.ImageLayoutVersion})
	return data
}

// A Layout is an oras-go content store and target, so that oras.Copy,
// oras.CopyGraph and anything written against oras's interfaces take it.
var (
	_ content.ReadOnlyStorage = (*Layout)(nil)
	_ content.Storage         = (*Layout)(nil)
	_ content.TagResolver     = (*Layout)(nil)
	_ oras.ReadOnlyTarget     = (*Layout)(nil)
	_ oras.Target             = (*Layout)(nil)
)
