package layout

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/docker-krust/docker-krust/internal/atomicfile"
)

// CheckWritable reports whether Create(dir) could succeed, without creating
// or modifying anything. An existing dir must be a layout or an empty
// directory, and writable; for a missing dir, the nearest existing ancestor
// must be a writable directory. Errors name the offending path.
func CheckWritable(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("check %s: %w", dir, err)
	}
	info, err := os.Stat(abs)
	switch {
	case err == nil:
		return checkExistingDir(abs, info)
	case isMissing(err):
		return checkAncestor(abs)
	default:
		return fmt.Errorf("check %s: %w", abs, err)
	}
}

// checkExistingDir checks an existing output directory.
func checkExistingDir(dir string, info os.FileInfo) error {
	if !info.IsDir() {
		return fmt.Errorf("%s exists and is not a directory", dir)
	}
	if checkLayout(dir) == nil {
		if err := checkBlobDirInside(dir); err != nil {
			return err
		}
		return checkAccess(dir, filepath.Join(dir, blobsDir, "sha256"))
	}
	// Accept what Create accepts: an empty directory, or the remains of a
	// Create that was interrupted or is running in another process.
	if err := checkInitializable(dir); err != nil {
		return fmt.Errorf("%s is not empty and is not an OCI image layout: %w: %w", dir, ErrNotLayout, err)
	}
	return checkAccess(dir)
}

// checkAncestor finds the nearest existing ancestor of a missing path and
// checks that it is a directory we may create entries in.
func checkAncestor(path string) error {
	for parent := filepath.Dir(path); ; parent = filepath.Dir(parent) {
		info, err := os.Stat(parent)
		switch {
		case err == nil && !info.IsDir():
			return fmt.Errorf("cannot create %s: %s is not a directory", path, parent)
		case err == nil:
			if err := checkAccess(parent); err != nil {
				return fmt.Errorf("cannot create %s: %w", path, err)
			}
			return nil
		case !isMissing(err) || parent == filepath.Dir(parent):
			return fmt.Errorf("cannot create %s: %w", path, err)
		}
	}
}

// checkAccess checks that the process may create entries in each directory.
// A directory that does not exist yet (e.g. blobs/sha256 of a layout) is not
// an error.
func checkAccess(dirs ...string) error {
	for _, d := range dirs {
		err := atomicfile.Writable(d)
		if err != nil && !errors.Is(err, syscall.ENOENT) {
			return fmt.Errorf("%s is not writable: %w", d, err)
		}
	}
	return nil
}

// isMissing reports whether err means a path (or one of its parents) does
// not exist as a directory.
func isMissing(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}
