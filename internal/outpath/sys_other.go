//go:build !unix

package outpath

import "os"

// Systems without named pipes check nothing here: the write itself
// reports what fails.
func openNoWait(path string) (*os.File, error) { return os.OpenFile(path, os.O_WRONLY, 0) }

func openReader(path string) (*os.File, error) { return os.OpenFile(path, os.O_RDONLY, 0) }

func errNoReader(error) bool { return false }

func errReaderGone(error) bool { return false }
