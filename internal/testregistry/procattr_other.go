//go:build !linux

package testregistry

import "syscall"

// sysProcAttr returns nil: only Linux can tie the registry's life to the
// test binary's.
func sysProcAttr() *syscall.SysProcAttr {
	return nil
}
