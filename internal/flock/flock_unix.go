//go:build unix

package flock

import (
	"context"
	"errors"
	"syscall"
	"time"
)

// Supported reports nil: unix systems have flock(2).
func Supported() error { return nil }

// Exclusive and Shared are the kinds of lock.
const (
	Exclusive = syscall.LOCK_EX
	Shared    = syscall.LOCK_SH
)

// Wait takes a lock of kind how on fd, polling so that waiting ends when
// ctx does. Closing fd releases the lock.
func Wait(ctx context.Context, fd uintptr, how int) error {
	delay := time.Millisecond
	for {
		err := syscall.Flock(int(fd), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case !errors.Is(err, syscall.EWOULDBLOCK):
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, 50*time.Millisecond)
	}
}

// Try takes a lock of kind how on fd if it is free now, and reports whether
// it did.
func Try(fd uintptr, how int) bool {
	for {
		err := syscall.Flock(int(fd), how|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			return err == nil
		}
	}
}
