package layout

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	dirPerm  = 0o755
	filePerm = 0o644

	// tmpPrefix starts the name of every temporary file this package creates.
	tmpPrefix = ".tmp-"
	// staleAge is how old a temporary file must be before Open removes it.
	staleAge = time.Hour
)

// writeFileAtomic replaces dir/name with data so that readers see either the
// old or the new content, never a mix: temp file, fsync, rename, fsync dir.
func writeFileAtomic(dir, name string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, tmpPrefix+name+"-*")
	if err != nil {
		return fmt.Errorf("create temp file for %s in %s: %w", name, dir, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err = finishFile(f); err != nil {
		return err
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp, name, err)
	}
	return syncDir(dir)
}

// finishFile sets the final permissions of a temp file, flushes it to disk
// and closes it.
func finishFile(f *os.File) error {
	if err := f.Chmod(filePerm); err != nil {
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

// syncDir flushes a directory so that renames inside it are durable.
func syncDir(dir string) error {
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

// removeStale deletes this package's temp files left behind in the layout
// root and in every blobs/<alg> directory by crashed writers, never
// following a link out of the layout. Errors are ignored: cleanup is best
// effort.
func removeStale(dir string) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return
	}
	defer root.Close()
	removeStaleIn(root, ".")
	algs, _ := readDirIn(root, blobsDir)
	for _, a := range algs {
		if a.IsDir() {
			removeStaleIn(root, filepath.Join(blobsDir, a.Name()))
		}
	}
}

// removeStaleIn deletes temp files in the directory name older than
// staleAge.
func removeStaleIn(root *os.Root, name string) {
	cutoff := time.Now().Add(-staleAge)
	entries, _ := readDirIn(root, name)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tmpPrefix) || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			_ = root.Remove(filepath.Join(name, e.Name()))
		}
	}
}
