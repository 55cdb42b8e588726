package layout

import (
	"path/filepath"

	"github.com/docker-krust/docker-krust/internal/atomicfile"
)

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
