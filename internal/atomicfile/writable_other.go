//go:build !unix

package atomicfile

// Writable checks nothing where there is no access(2): the write itself
// reports a directory that cannot be written.
func Writable(dir string) error { return nil }
