//go:build unix

package outpath

import (
	"errors"
	"os"
	"syscall"
)

// access checks that dir can be written in (entries created and removed),
// as the process's user, without writing: access(2) says EROFS for a
// read-only file system, EACCES for missing permission.
func access(dir string) error {
	const wx = 0x2 | 0x1 // W_OK | X_OK
	return syscall.Access(dir, wx)
}

// openNoWait opens the pipe at path for writing without waiting for a
// reader; errNoReader(err) reports when there is none yet.
func openNoWait(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
}

// openReader opens the pipe at path for reading without waiting for a
// writer; opening it releases a writer waiting in open(2).
func openReader(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// errNoReader reports whether err says a pipe has no reader: ENXIO from
// a non-blocking open for writing.
func errNoReader(err error) bool { return errors.Is(err, syscall.ENXIO) }

// errReaderGone reports whether err says the pipe's reader closed it.
func errReaderGone(err error) bool { return errors.Is(err, syscall.EPIPE) }
