package layout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker-krust/docker-krust/internal/atomicfile"
)

// Create opens the layout in dir, or turns a missing or empty directory into
// a new layout (blobs/sha256, oci-layout and an empty index.json). A
// non-empty directory that is not a layout is left untouched and the error
// wraps ErrNotLayout. Concurrent calls for the same directory all succeed.
// Waiting for the layout's lock, held by another process that is setting
// it up or updating index.json, ends with ctx's error when ctx is done.
// Create is how krust opens a layout it writes, so it also sweeps away the
// temp files writers that died left there (see sweepLeftovers).
func Create(ctx context.Context, dir string) (*Layout, error) {
	dir = filepath.Clean(dir)
	for attempt := 0; ; attempt++ {
		l, err := create(ctx, dir)
		// A failed build may remove the (empty) directory while we wait
		// for its lock: make it again.
		if !errors.Is(err, ErrLayoutGone) || attempt == 3 {
			return l, err
		}
	}
}

// create is one attempt of Create. If dir or a parent was removed while
// create made or locked it, the error wraps ErrLayoutGone.
func create(ctx context.Context, dir string) (*Layout, error) {
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return nil, fmt.Errorf("create layout directory %s: %w", dir, goneIfMissing(err))
	}
	d, err := lockDirFile(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("create layout %s: %w", dir, goneIfMissing(err))
	}
	defer d.Close()
	if !sameFile(d, dir) {
		return nil, fmt.Errorf("create layout %s: %w", dir, ErrLayoutGone)
	}
	if checkLayout(dir) != nil {
		if err := initLayout(dir); err != nil {
			return nil, err
		}
	}
	sweepLeftovers(dir)
	return &Layout{dir: dir}, nil
}

// goneIfMissing adds ErrLayoutGone to an error saying a directory on the
// way to the layout does not exist: a failed build removed it meanwhile.
func goneIfMissing(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %w", ErrLayoutGone, err)
	}
	return err
}

// initLayout writes the missing pieces of a new layout into dir, provided dir
// is empty or holds only the remains of an interrupted initLayout. The
// oci-layout marker is written last so that an interrupted initialisation is
// never mistaken for a complete layout.
func initLayout(dir string) error {
	if err := checkInitializable(dir); err != nil {
		return fmt.Errorf("create layout %s: directory is not empty and is not an OCI image layout, refusing to write into it: %w: %w",
			dir, ErrNotLayout, err)
	}
	if err := mkdirBlobs(dir); err != nil {
		return fmt.Errorf("create layout %s: %w", dir, err)
	}
	if err := atomicfile.SyncDir(filepath.Join(dir, blobsDir)); err != nil {
		return err
	}
	if _, err := readIndexFile(filepath.Join(dir, indexFile)); err != nil {
		if err := writeIndexFile(dir, emptyIndex()); err != nil {
			return fmt.Errorf("create layout %s: %w", dir, err)
		}
	}
	if err := writeFileAtomic(dir, layoutFile, layoutMarker()); err != nil {
		return fmt.Errorf("create layout %s: %w", dir, err)
	}
	return nil
}

// mkdirBlobs creates blobs/sha256 in dir without following a link out of it.
func mkdirBlobs(dir string) error {
	root, err := openRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return mkdirIn(root, filepath.Join(blobsDir, "sha256"))
}

// checkInitializable returns nil if every entry of dir is something
// initLayout itself would have written: blobs/sha256 holding nothing but temp
// files, a valid index.json, a valid oci-layout, or our temp files.
func checkInitializable(dir string) error {
	err := forEachEntry(dir, checkInitEntry)
	// An entry (or dir) that vanished while being checked was being
	// removed by a failed build's cleanup, which removes only what a build
	// writes: what is left is still initializable.
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// checkInitEntry checks one entry of a directory about to be initialised.
func checkInitEntry(path string, e os.DirEntry) error {
	switch name := e.Name(); {
	case name == blobsDir && e.IsDir():
		return checkEmptyBlobs(path)
	case name == indexFile:
		_, err := readIndexFile(path)
		return err
	case name == layoutFile:
		return checkLayoutFile(filepath.Dir(path))
	case strings.HasPrefix(name, tmpPrefix+indexFile+"-"),
		strings.HasPrefix(name, tmpPrefix+layoutFile+"-"):
		return nil
	default:
		return fmt.Errorf("unexpected entry %s", path)
	}
}

// checkEmptyBlobs checks that a blobs directory holds at most a sha256
// subdirectory with nothing but temp files in it.
func checkEmptyBlobs(dir string) error {
	return forEachEntry(dir, func(path string, e os.DirEntry) error {
		if e.Name() != "sha256" || !e.IsDir() {
			return fmt.Errorf("unexpected entry %s", path)
		}
		return forEachEntry(path, checkTempFile)
	})
}

// checkTempFile accepts only this package's temp files.
func checkTempFile(path string, e os.DirEntry) error {
	if !strings.HasPrefix(e.Name(), tmpPrefix) || !e.Type().IsRegular() {
		return fmt.Errorf("unexpected entry %s", path)
	}
	return nil
}

// forEachEntry calls fn for every entry of dir, stopping at the first error.
func forEachEntry(dir string, fn func(path string, e os.DirEntry) error) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read directory %s: %w", dir, err)
	}
	for _, e := range entries {
		if err := fn(filepath.Join(dir, e.Name()), e); err != nil {
			return err
		}
	}
	return nil
}
