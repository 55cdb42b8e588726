//go:build unix

package procgroup

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// newGroup makes the command the leader of a new process group.
func (c *Cmd) newGroup() {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// lowerPriority gives the group of the command just started, whose
// leader is pid, the lowest priority (nice 19). The command has had no
// time to start others yet; those it starts later inherit it.
func lowerPriority(pid int) {
	_ = syscall.Setpriority(syscall.PRIO_PGRP, pid, 19)
}

// terminate asks the whole group to stop.
func (c *Cmd) terminate() error {
	c.stopped.CompareAndSwap(0, time.Now().UnixNano())
	if err := syscall.Kill(-c.Process.Pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
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
// count here. Without /proc (macOS) kill(2)'s answer is all there is, so
// a group of zombies is waited for until the deadline.
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
