//go:build !unix

package procgroup

import (
	"errors"
	"os"
	"time"
)

// newGroup does nothing: there are no process groups here.
func (c *Cmd) newGroup() {}

// lowerPriority does nothing: there are no nice values here.
func lowerPriority(pid int) {}

// terminate kills the process started (there is no group to signal, and
// no SIGTERM to ask with).
func (c *Cmd) terminate() error {
	c.stopped.CompareAndSwap(0, time.Now().UnixNano())
	if err := c.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}

// reap has nothing to wait for: only the process started was stopped.
func reap(pid int, deadline time.Time) {}
