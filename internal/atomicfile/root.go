package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// WriteFileIn is WriteFile for name inside root: the temp file is created
// and renamed through root, so that no symbolic link, inside or out, is
// ever followed for writing (a link at name is replaced, as by
// WriteFile), and nothing is written outside root.
func WriteFileIn(root *os.Root, name string, data []byte, perm fs.FileMode) (err error) {
	dir, base := filepath.Split(name)
	path := filepath.Join(root.Name(), name)
	f, tmp, err := CreateTempIn(root, dir, base)
	if err != nil {
		return fmt.Errorf("create temp file for %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = root.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", f.Name(), err)
	}
	if err = Finish(f, perm); err != nil {
		return err
	}
	return RenameIn(root, tmp, name)
}

// CreateTempIn creates a new file, never following a link, in the
// directory dir of root, named TempPrefix, then base and a dash (when base
// is not empty), then a random word, and returns it with its name
// relative to root. Its permissions are 0600 until Finish sets them.
func CreateTempIn(root *os.Root, dir, base string) (*os.File, string, error) {
	prefix := TempPrefix
	if base != "" {
		prefix += base + "-"
	}
	for range 100 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 36))
		f, err := root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, name, err
	}
	return nil, "", errors.New("too many name collisions")
}

// RenameIn moves the finished temp file tmp to final inside root, never
// following a link, and flushes final's directory so that the rename
// survives a crash.
func RenameIn(root *os.Root, tmp, final string) error {
	if err := root.Rename(tmp, final); err != nil {
		return fmt.Errorf("rename %s to %s: %w", filepath.Join(root.Name(), tmp), filepath.Join(root.Name(), final), err)
	}
	return SyncDirIn(root, filepath.Dir(final))
}

// SyncDirIn flushes the directory dir of root ("" or "." for root
// itself), so that a rename or a new entry in it survives a crash.
func SyncDirIn(root *os.Root, dir string) error {
	if dir == "" {
		dir = "."
	}
	d, err := root.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir %s for fsync: %w", filepath.Join(root.Name(), dir), err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync dir %s: %w", filepath.Join(root.Name(), dir), err)
	}
	return nil
}
