package layout

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A writer that dies (a crash, kill -9, a power cut) leaves its temp file
// behind: a blob half written, an index.json not yet renamed into place.
// Only the writers of a layout sweep such leftovers away: Create, on the
// way to writing, and GC. Open only reads, so a layout krust merely reads
// is never changed.

// leftoverAge is how old a temp file must be before it is taken for the
// leftover of a writer that died: a live writer's file is younger, as
// every write to it moves its modification time.
const leftoverAge = time.Hour

// sweepLeftovers removes the temp files older than leftoverAge from the
// layout directory dir and from every blobs/ALG, never following a link out
// of the layout. Errors are ignored: sweeping is best effort, and the
// next writer tries again.
func sweepLeftovers(dir string) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return
	}
	defer root.Close()
	dirs := []string{"."}
	algs, _ := readDirIn(root, blobsDir)
	for _, a := range algs {
		if a.IsDir() {
			dirs = append(dirs, filepath.Join(blobsDir, a.Name()))
		}
	}
	cutoff := time.Now().Add(-leftoverAge)
	for _, d := range dirs {
		for _, f := range leftoversIn(root, d, cutoff) {
			_ = root.Remove(f.name)
		}
	}
}

// leftoversIn lists the temp files of the directory name inside root
// last modified before cutoff, with their names relative to root.
func leftoversIn(root *os.Root, name string, cutoff time.Time) []blobFile {
	var out []blobFile
	entries, _ := readDirIn(root, name)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tmpPrefix) || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			out = append(out, blobFile{size: info.Size(), name: filepath.Join(name, e.Name())})
		}
	}
	return out
}
