//go:build unix

package atomicfile

import "syscall"

// Writable reports whether files may be created, renamed and removed in
// the directory dir by this process's user, without writing anything:
// access(2) says EROFS for a read-only file system, EACCES for a missing
// permission, ENOENT for a directory that does not exist.
func Writable(dir string) error {
	const wx = 0x2 | 0x1 // W_OK | X_OK; package syscall does not name them
	return syscall.Access(dir, wx)
}
