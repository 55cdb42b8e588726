package testkube

import (
	"bytes"
	"context"
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// never is a probe that never succeeds.
func never(context.Context) bool { return false }

func TestWaitQuotesTheOutputOfAProcessThatExits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, script, want string
		portTaken          bool
	}{
		{"bad flag", "echo starting; echo 'unknown flag: --bogus' >&2; exit 2", "unknown flag: --bogus", false},
		{"port taken", "echo 'listen tcp 127.0.0.1:1: bind: address already in use' >&2; exit 1", "address already in use", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, err := startProcess("/bin/sh", []string{"-c", c.script}, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			s := &Server{timeout: time.Minute}
			err = s.wait(t.Context(), p, never)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "exited before it was ready") {
				t.Fatalf("wait = %v, want an exit error quoting %q", err, c.want)
			}
			if errors.Is(err, errPortTaken) != c.portTaken {
				t.Errorf("errors.Is(err, errPortTaken) = %v, want %v", !c.portTaken, c.portTaken)
			}
		})
	}
}

func TestWaitTimesOutAndStopKillsTheGroup(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("only Linux runs the servers in a process group of their own")
	}
	// The shell starts a child of its own; stopping must end both.
	p, err := startProcess("/bin/sh", []string{"-c", "sleep 300 & echo child $!; wait"}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	s := &Server{timeout: 300 * time.Millisecond}
	err = s.wait(t.Context(), p, never)
	if err == nil || !strings.Contains(err.Error(), "not ready after 300ms") || !strings.Contains(err.Error(), "child ") {
		t.Fatalf("wait = %v, want a timeout quoting the output", err)
	}
	child := strings.TrimSpace(strings.TrimPrefix(p.tail(), "child "))
	if pid, err := strconv.Atoi(child); err == nil {
		// Should stop fail to, the child still ends with the test.
		t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	}
	p.stop()
	// The child dies of the group's SIGKILL a moment after the shell; until
	// init reaps it, it shows as a zombie (state Z).
	deadline := time.Now().Add(10 * time.Second)
	for state := procState(child); state != "" && state != "Z" && state != "X"; state = procState(child) {
		if time.Now().After(deadline) {
			t.Fatalf("the shell's child %s is still running (state %s) after stop", child, state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// procState returns the state letter of process pid, or "" if it is gone.
func procState(pid string) string {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return ""
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	return fields[0]
}

func TestFreePortsAreDistinct(t *testing.T) {
	ports, err := freePorts(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ports) != 3 || ports[0] == ports[1] || ports[1] == ports[2] || ports[0] == ports[2] {
		t.Errorf("freePorts(3) = %v", ports)
	}
}
