//go:build !linux

package testkube

import (
	"os"
	"syscall"
)

// sysProcAttr returns nil: the servers run on Linux; elsewhere only the
// process started is stopped.
func sysProcAttr() *syscall.SysProcAttr {
	return nil
}

// killGroup kills the process started.
func killGroup(p *os.Process) {
	_ = p.Kill() // fails only if it already exited
}
