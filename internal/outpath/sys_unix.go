//go:build unix

package outpath

import (
	"errors"
	"os"
	"syscall"
)

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
