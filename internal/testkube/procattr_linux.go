//go:build linux

package testkube

import (
	"os"
	"syscall"
)

// sysProcAttr puts the server in a process group of its own and makes the
// kernel kill it if the test binary dies without running its cleanups (a
// panic or a -timeout), so no server outlives its tests.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroup kills the whole process group that p leads. The data is
// throw-away, so there is nothing to shut down gracefully.
func killGroup(p *os.Process) {
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL) // fails only if the group is gone
}
