package regular

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// OpenIn is Open for name inside root: os.Root follows a symbolic link
// only while it stays inside root, so a link leading out is refused
// (before anything behind it is opened) like anything that is not a
// regular file.
func OpenIn(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	path := filepath.Join(root.Name(), name)
	f, err := root.OpenFile(name, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		// A socket cannot be opened at all (ENXIO): say what it is.
		if errors.Is(err, syscall.ENXIO) {
			if info, serr := root.Stat(name); serr == nil && !info.Mode().IsRegular() {
				return nil, nil, NotRegular(path, info.Mode())
			}
		}
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("stat %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, NotRegular(path, info.Mode())
	}
	if err := setBlocking(f); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	return f, info, nil
}

// ReadFileIn is ReadFile for name inside root (see OpenIn).
func ReadFileIn(root *os.Root, name string, limit int64) ([]byte, error) {
	f, info, err := OpenIn(root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	path := filepath.Join(root.Name(), name)
	if info.Size() > limit {
		return nil, tooLarge(path, info.Size(), limit)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(path, int64(len(data)), limit)
	}
	return data, nil
}
