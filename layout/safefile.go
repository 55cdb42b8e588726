package layout

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/docker-krust/docker-krust/internal/atomicfile"
	"github.com/docker-krust/docker-krust/internal/regular"
)

// Every file of a layout is reached through an os.Root on the layout's
// directory: the kernel walk it does (openat with O_NOFOLLOW, one
// component at a time) follows a symbolic link only while it stays inside
// the layout, without a window between check and use. Links inside the
// layout are harmless (every blob is verified against its digest, and
// nothing outside is reached), so they are followed; a link leading out is
// refused before anything behind it is opened, so neither its size nor its
// content can show up in an error. The layout directory itself may be a
// link: the user named it.

// openRoot opens dir, the layout's directory, as the root of every access.
// Anything but a directory is refused at once (see onlyDir).
func openRoot(dir string) (*os.Root, error) {
	root, err := os.OpenRoot(onlyDir(dir))
	if err != nil {
		return nil, notDir(dir, err)
	}
	return root, nil
}

// onlyDir is a path that opens dir only if it is a directory (or a link
// to one): "dir/." fails at once with ENOTDIR on anything else, where
// opening a named pipe would wait for a writer for ever.
func onlyDir(dir string) string {
	return dir + string(filepath.Separator) + "."
}

// notDir explains why the layout directory dir could not be opened: what
// it is if it is not a directory, else err.
func notDir(dir string, err error) error {
	if info, serr := os.Stat(dir); serr == nil && !info.IsDir() {
		return fmt.Errorf("%s is %s, not a layout directory: %w", dir, regular.Describe(info.Mode()), ErrNotRegular)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("open %s: %w", dir, notFound(err))
}

// openRegular opens dir/name for reading, refusing at once anything that is
// not a regular file (a FIFO would block the open forever, a device or
// socket would be read as if it were content) and any path that leads out
// of dir. name is slash-separated and relative to dir.
func openRegular(dir, name string) (*os.File, fs.FileInfo, error) {
	root, err := openRoot(dir)
	if err != nil {
		return nil, nil, err
	}
	defer root.Close()
	return openRegularIn(root, name)
}

// openRegularIn is openRegular inside an open root.
func openRegularIn(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	path := filepath.Join(root.Name(), name)
	f, info, err := regular.OpenIn(root, name)
	var nr *regular.NotRegularError
	switch {
	case errors.As(err, &nr):
		return nil, nil, notRegular(path, nr.Mode)
	case err != nil:
		return nil, nil, entryError(path, err)
	}
	return f, info, nil
}

// statRegularIn returns the size of a regular file inside root, refusing
// the same entries as openRegularIn, without opening it.
func statRegularIn(root *os.Root, name string) (fs.FileInfo, error) {
	path := filepath.Join(root.Name(), name)
	info, err := root.Stat(name)
	if err != nil {
		return nil, entryError(path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, notRegular(path, info.Mode())
	}
	return info, nil
}

// entryError explains why an entry of a layout could not be reached.
func entryError(path string, err error) error {
	if escapes(err) {
		return fmt.Errorf("%s leads out of the layout through a symbolic link: %w; "+
			"krust reads and writes only inside a layout: replace the link with the file or directory itself",
			path, ErrOutsideLayout)
	}
	return fmt.Errorf("open %s: %w", path, notFound(err))
}

// escapes reports whether err is os.Root's refusal of a path that leads
// out of the root. The os package does not export that error, only its
// text; TestLinksOutOfTheLayoutAreRefused catches a change of it.
func escapes(err error) bool {
	var pe *fs.PathError
	for errors.As(err, &pe) {
		if pe.Err.Error() == "path escapes from parent" {
			return true
		}
		err = pe.Err
	}
	return false
}

// notRegular is the error for an entry that is not a regular file.
func notRegular(path string, mode fs.FileMode) error {
	return fmt.Errorf("%s is %s, not a regular file: %w; remove it, then rebuild or copy the layout again",
		path, regular.Describe(mode), ErrNotRegular)
}

// mkdirIn creates the directory name (and its parents) inside root, so
// that a link leading out of the layout is refused rather than followed.
func mkdirIn(root *os.Root, name string) error {
	path := filepath.Join(root.Name(), name)
	err := root.MkdirAll(name, dirPerm)
	if err == nil {
		var info fs.FileInfo
		if info, err = root.Stat(name); err == nil && !info.IsDir() {
			return fmt.Errorf("%s is %s, not a directory: %w", path, regular.Describe(info.Mode()), ErrNotRegular)
		}
	}
	if err != nil {
		if escapes(err) {
			return entryError(path, err)
		}
		return fmt.Errorf("create %s: %w", path, err)
	}
	return nil
}

// createTempIn creates a new temp file in the directory dirName inside
// root, never following a link (see atomicfile.CreateTempIn), and returns
// it with its name relative to root.
func createTempIn(root *os.Root, dirName string) (*os.File, string, error) {
	f, name, err := atomicfile.CreateTempIn(root, dirName, "")
	if err != nil {
		return nil, "", fmt.Errorf("create temp file: %w", entryError(filepath.Join(root.Name(), dirName), err))
	}
	return f, name, nil
}

// checkBlobDirInside checks, before anything is built, that blobs/sha256
// of the layout in dir, if it exists, is a directory inside the layout.
func checkBlobDirInside(dir string) error {
	root, err := openRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	name := filepath.Join(blobsDir, "sha256")
	path := filepath.Join(dir, name)
	info, err := root.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return entryError(path, err)
	case !info.IsDir():
		return fmt.Errorf("%s is %s, not a directory: %w", path, regular.Describe(info.Mode()), ErrNotRegular)
	}
	return nil
}

// removeRegularIn removes dir/name if it is a regular file, through dir's
// root, so that neither a link out of the layout nor a special file is
// ever removed.
func removeRegularIn(dir, name string) error {
	root, err := openRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	info, err := root.Lstat(name)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return notRegular(filepath.Join(dir, name), info.Mode())
	}
	return root.Remove(name)
}

const (
	dirPerm  = 0o755
	filePerm = 0o644

	// tmpPrefix starts the name of every temporary file this package
	// creates, its own and atomicfile's, so that the writers of a layout
	// can sweep away the leftovers of those that died (see sweep.go).
	tmpPrefix = atomicfile.TempPrefix
)

// writeFileAtomic replaces dir/name with data so that readers see either the
// old or the new content, never a mix.
func writeFileAtomic(dir, name string, data []byte) error {
	return atomicfile.WriteFile(filepath.Join(dir, name), data, filePerm)
}
