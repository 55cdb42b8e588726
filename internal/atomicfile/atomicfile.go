// Package atomicfile replaces small files whole: a reader, or whoever
// looks after a crash, finds the old content or the new, never a mix and
// never an empty file. index.json, oci-layout and the --image-refs file
// are written with it.
package atomicfile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// TempPrefix starts the name of every temp file WriteFile creates beside
// the file it replaces, so that whoever owns the directory can recognise
// (and, once old, remove) those a crash left behind.
const TempPrefix = ".tmp-"

// WriteFile replaces path with data, with permissions perm: it writes a
// temp file in path's directory, flushes it to disk, renames it over path
// and flushes the directory, so the rename survives a crash too. On any
// error path is as it was and the temp file is gone. A symbolic link at
// path is replaced, not followed.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return WriteWith(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteWith is WriteFile for content too big to hold: write streams it
// into the temp file. When write fails, path is as it was.
func WriteWith(path string, perm fs.FileMode, write func(io.Writer) error) (err error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, TempPrefix+name+"-*")
	if err != nil {
		return fmt.Errorf("create temp file for %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err = Finish(f, perm); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp, path, err)
	}
	return SyncDir(dir)
}

// Finish gives the temp file f its final permissions perm, flushes it to
// disk and closes it: what is left is to rename it into place.
func Finish(f *os.File, perm fs.FileMode) error {
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("chmod %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.Name(), err)
	}
	return nil
}

// SyncDir flushes a directory, so that renames and creations inside it
// are durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir %s for fsync: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync dir %s: %w", dir, err)
	}
	return nil
}
