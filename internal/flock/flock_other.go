//go:build !unix

package flock

import "context"

// Supported reports ErrUnsupported: this system has no flock(2).
func Supported() error { return ErrUnsupported }

// Exclusive and Shared are the kinds of lock, as on unix.
const (
	Exclusive = 2
	Shared    = 1
)

// Wait fails with ErrUnsupported: there is no flock(2) to wait for.
func Wait(ctx context.Context, fd uintptr, how int) error { return ErrUnsupported }

// Try reports false: no lock can be taken here.
func Try(fd uintptr, how int) bool { return false }
