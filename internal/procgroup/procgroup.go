// Package procgroup runs a command in its own process group, so that
// stopping it stops everything it started too: cargo's rustc and build
// scripts, a credential helper's children. Signalling only the process we
// started leaves its children running, still writing into the target
// directory after krust has exited. Process groups are unix's; elsewhere
// stopping a command stops only the process started.
package procgroup

import (
	"context"
	"os/exec"
	"sync/atomic"
	"time"
)

// DefaultGrace is how long a stopped group has between SIGTERM and SIGKILL.
const DefaultGrace = 3 * time.Second

// Cmd is an exec.Cmd whose context stops its whole process group: when the
// context is done the group gets SIGTERM, and whatever of it is still
// running after the grace period gets SIGKILL. Use its Run and Wait, not
// the embedded Cmd's, so that the group is reaped before they return.
type Cmd struct {
	*exec.Cmd
	// Background, set before Start, runs the command and what it starts
	// at the lowest CPU priority: it then takes only the time that other
	// work leaves idle.
	Background bool
	grace      time.Duration
	stopped    atomic.Int64 // when Cancel ran, in Unix nanoseconds; 0 if not
}

// Command returns a Cmd running name in a new process group, stopped as a
// whole when ctx is done. grace <= 0 means DefaultGrace.
func Command(ctx context.Context, grace time.Duration, name string, args ...string) *Cmd {
	if grace <= 0 {
		grace = DefaultGrace
	}
	c := &Cmd{Cmd: exec.CommandContext(ctx, name, args...), grace: grace}
	c.newGroup()
	c.Cancel = c.terminate
	// After the grace period exec kills the leader and stops waiting for
	// pipes that a straggler still holds open.
	c.WaitDelay = grace
	return c
}

// Start starts the command, as exec.Cmd.Start, and lowers its priority
// if it is Background. The priority is a hint: failing to set it is not
// an error.
func (c *Cmd) Start() error {
	if err := c.Cmd.Start(); err != nil {
		return err
	}
	if c.Background {
		lowerPriority(c.Process.Pid)
	}
	return nil
}

// Run starts the command and waits for it, as exec.Cmd.Run.
func (c *Cmd) Run() error {
	if err := c.Start(); err != nil {
		return err
	}
	return c.Wait()
}

// Wait waits for the command as exec.Cmd.Wait; if it was stopped, it then
// waits out the grace period for the rest of the group (children that
// outlived the leader) and kills what is left.
func (c *Cmd) Wait() error {
	err := c.Cmd.Wait()
	if at := c.stopped.Load(); at != 0 {
		reap(c.Process.Pid, time.Unix(0, at).Add(c.grace))
	}
	return err
}
