package layout

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/docker-krust/docker-krust/internal/atomicfile"
)

const (
	dirPerm  = 0o755
	filePerm = 0o644

	// tmpPrefix starts the name of every temporary file this package
	// creates, its own and atomicfile's, so that Open removes stale ones.
	tmpPrefix = atomicfile.TempPrefix
	// staleAge is how old a temporary file must be before Open removes it.
	staleAge = time.Hour
)

// writeFileAtomic replaces dir/name with data so that readers see either the
// old or the new content, never a mix.
func writeFileAtomic(dir, name string, data []byte) error {
	return atomicfile.WriteFile(filepath.Join(dir, name), data, filePerm)
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
