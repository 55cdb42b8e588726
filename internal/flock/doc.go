// Package flock takes flock(2) locks that a context can stop waiting for.
// It works on unix systems (Linux, macOS, the BSDs); elsewhere every lock
// fails with ErrUnsupported, and Supported says so up front.
package flock

import (
	"errors"
	"fmt"
	"runtime"
)

// ErrUnsupported is returned on systems without flock(2), such as Windows:
// krust locks its OCI layouts so that concurrent builds, pushes and gc
// never corrupt them, and will not run without that guarantee. It wraps
// errors.ErrUnsupported.
var ErrUnsupported = unsupported(runtime.GOOS)

func unsupported(goos string) error {
	return fmt.Errorf("krust needs flock(2) file locks to keep OCI layouts safe from concurrent builds, and %s has none: run krust on Linux or macOS (on Windows, inside WSL 2): %w",
		goos, errors.ErrUnsupported)
}
