// Package procgroup runs a command in its own process group, so that
// stopping it stops everything it started too: cargo's rustc and build
// scripts, a credential helper's children. Signalling only the process we
// started leaves its children running, still writing into the target
// directory after krust has exited.
package procgroup

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
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
	grace   time.Duration
	stopped atomic.Int64 // when Cancel ran, in Unix nanoseconds; 0 if not
}

// Command returns a Cmd running name in a new process group, stopped as a
// whole when ctx is done. grace <= 0 means DefaultGrace.
func Command(ctx context.Context, grace time.Duration, name string, args ...string) *Cmd {
	if grace <= 0 {
		grace = DefaultGrace
	}
	c := &Cmd{Cmd: exec.CommandContext(ctx, name, args...), grace: grace}
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = c.terminate
	// After the grace period exec kills the leader and stops waiting for
	// pipes that a straggler still holds open.
	c.WaitDelay = grace
	return c
}

// terminate asks the whole group to stop.
func (c *Cmd) terminate() error {
	c.stopped.CompareAndSwap(0, time.Now().UnixNano())
	if err := syscall.Kill(-c.Process.Pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
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

// reap waits until group pgid is empty or deadline passes, then kills what
// remains and waits (briefly) for it to be gone. The group's id cannot be
// reused while any member lives, so signalling it here reaches only the
// command's own descendants.
func reap(pgid int, deadline time.Time) {
	if waitEmpty(pgid, deadline) {
		return
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	waitEmpty(pgid, time.Now().Add(time.Second))
}

// waitEmpty polls until no live process is left in group pgid, or deadline.
func waitEmpty(pgid int, deadline time.Time) bool {
	for {
		if !alive(pgid) {
			return true
		}
		if !time.Now().Before(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive reports whether group pgid has a member that is not a zombie.
// Zombies count for kill(2) until their new parent reaps them, which some
// init processes do only now and then; they run nothing, so they do not
// count here.
func alive(pgid int) bool {
	if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return true
	}
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil && liveMember(pid, pgid) {
			return true
		}
	}
	return false
}

// liveMember reports whether process pid is in group pgid and not a zombie,
// from /proc/PID/stat: "PID (COMM) STATE PPID PGRP ...".
func liveMember(pid, pgid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return false
	}
	fields := strings.Fields(string(data[i+1:]))
	return len(fields) > 2 && fields[0] != "Z" && fields[2] == strconv.Itoa(pgid)
}
