package regular

import (
	"io/fs"
	"os"
	"path/filepath"
)

// OpenIn is Open for name inside root: os.Root follows a symbolic link
// only while it stays inside root, so a link leading out is refused
// (before anything behind it is opened) like anything that is not a
// regular file.
func OpenIn(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	return open(filepath.Join(root.Name(), name),
		func(flag int) (*os.File, error) { return root.OpenFile(name, flag, 0) },
		func() (fs.FileInfo, error) { return root.Stat(name) })
}

// ReadFileIn is ReadFile for name inside root (see OpenIn).
func ReadFileIn(root *os.Root, name string, limit int64) ([]byte, error) {
	f, info, err := OpenIn(root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(filepath.Join(root.Name(), name), f, info, limit)
}
