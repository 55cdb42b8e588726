//go:build unix

package layout

import (
	"errors"
	"fmt"
	"syscall"
)

// Access(2) mode bits; package syscall does not name them.
const (
	accessExecute = 0x1
	accessWrite   = 0x2
)

// checkAccess checks that the process may create entries in each directory.
// A directory that does not exist yet (e.g. blobs/sha256 of a layout) is not
// an error.
func checkAccess(dirs ...string) error {
	for _, d := range dirs {
		err := syscall.Access(d, accessWrite|accessExecute)
		if err != nil && !errors.Is(err, syscall.ENOENT) {
			return fmt.Errorf("%s is not writable: %w", d, err)
		}
	}
	return nil
}
