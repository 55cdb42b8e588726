//go:build unix

package builder

import (
	"os"
	"syscall"
)

// lockOpenFlags open a lock file never through a symbolic link (ELOOP
// instead) and without blocking should it be a FIFO.
const lockOpenFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// owner returns the user id that owns the file info describes.
func owner(info os.FileInfo) (int, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
