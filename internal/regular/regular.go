// Package regular opens the files krust reads of its own (its config,
// cache entries, lock and stamp files, Cargo.toml and Cargo.lock) so that
// nothing in their place can block or fool the read: a named pipe (FIFO)
// would block open(2) until a writer came, a device or socket would be
// read as if it were content, a directory cannot be. Each is refused at
// once with its path and what it is.
package regular

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular means a path names something other than a regular file.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge means a file is larger than its reader accepts.
var ErrTooLarge = errors.New("file too large")

// Open opens path for reading, following symbolic links as os.Open does,
// and refuses at once anything that is not a regular file. The returned
// descriptor blocks as usual (O_NONBLOCK is only used for the open).
func Open(path string) (*os.File, fs.FileInfo, error) {
	return open(path,
		func(flag int) (*os.File, error) { return os.OpenFile(path, flag, 0) },
		func() (fs.FileInfo, error) { return os.Stat(path) })
}

// open is Open and OpenIn: openFile opens the file named path with the
// flags given, stat describes it without opening it.
func open(path string, openFile func(flag int) (*os.File, error), stat func() (fs.FileInfo, error)) (*os.File, fs.FileInfo, error) {
	f, err := openFile(os.O_RDONLY | oNonblock)
	if err != nil {
		// A socket cannot be opened at all (ENXIO): say what it is.
		if errors.Is(err, syscall.ENXIO) {
			if info, serr := stat(); serr == nil && !info.Mode().IsRegular() {
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

// ReadFile reads the regular file at path, refusing (before reading) one
// larger than limit bytes with an error wrapping ErrTooLarge. A missing
// file gives an error wrapping fs.ErrNotExist.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, info, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(path, f, info, limit)
}

// readAll reads f, the file at path that info describes, refusing one
// larger than limit.
func readAll(path string, f *os.File, info fs.FileInfo, limit int64) ([]byte, error) {
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

// Check reports whether path, if it exists, is a regular file, without
// opening it (so without blocking): nil for a regular file, an error
// wrapping fs.ErrNotExist for a missing one, one wrapping ErrNotRegular
// for anything else. Symbolic links are followed.
func Check(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return NotRegular(path, info.Mode())
	}
	return nil
}

// NotRegularError says that Path is not a regular file but of Mode's
// type; it matches ErrNotRegular with errors.Is.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s: %v", e.Path, Describe(e.Mode), ErrNotRegular)
}

// Is makes errors.Is(err, ErrNotRegular) true.
func (e *NotRegularError) Is(target error) bool { return target == ErrNotRegular }

// NotRegular is the error for path, which is of mode's type.
func NotRegular(path string, mode fs.FileMode) error {
	return &NotRegularError{Path: path, Mode: mode}
}

func tooLarge(path string, size, limit int64) error {
	return fmt.Errorf("%s is %d bytes, more than the %d krust reads: %w", path, size, limit, ErrTooLarge)
}

// Describe names a file type for people: "a named pipe (FIFO)".
func Describe(mode fs.FileMode) string {
	switch {
	case mode.IsRegular():
		return "a regular file"
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a block device"
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file (" + mode.Type().String() + ")"
}
