//go:build linux

// These tests read /proc to see which processes are gone.

package procgroup_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/procgroup"
)

// gone reports whether pid has exited (a zombie waiting for init counts).
func gone(pid int) bool {
	fields, err := statFields(strconv.Itoa(pid))
	return err != nil || len(fields) > 0 && fields[0] == "Z"
}

// statFields reads /proc/PID/stat ("self" for the test itself) and
// returns its fields from the state on, field 3 of proc(5): those after
// the parenthesised command name, which may hold spaces.
func statFields(pid string) ([]string, error) {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:])), nil
}

// waitForPid polls for the pid file a script writes once it is running.
func waitForPid(t *testing.T, path string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil && strings.HasSuffix(string(data), "\n") {
			pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
			if err != nil {
				t.Fatalf("pid file %s: %v", path, err)
			}
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the script did not write %s within 10 s", path)
	return 0
}

func TestStoppingStopsTheWholeGroup(t *testing.T) {
	tests := []struct {
		name   string
		script string // runs with $1 = the file to write the grandchild's pid to
	}{
		{"child dies on SIGTERM", `sleep 1000 & echo $! >"$1"; wait`},
		{"child ignores SIGTERM", `sh -c 'trap "" TERM; echo $$ >"$1"; while :; do sleep 0.1; done' child "$1" & wait`},
		{"leader ignores SIGTERM", `trap "" TERM; sleep 1000 & echo $! >"$1"; while :; do sleep 0.1; done`},
		{"child outlives the leader", `trap 'exit 0' TERM; sh -c 'trap "" TERM; echo $$ >"$1"; while :; do sleep 0.1; done' child "$1" & wait`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pid")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			const grace = 500 * time.Millisecond
			cmd := procgroup.Command(ctx, grace, "sh", "-c", tt.script, "sh", pidFile)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			child := waitForPid(t, pidFile)
			start := time.Now()
			cancel()
			if err := cmd.Wait(); err == nil {
				t.Errorf("Wait after cancel returned no error")
			}
			if elapsed := time.Since(start); elapsed > grace+2*time.Second {
				t.Errorf("stopping took %v with a grace of %v", elapsed, grace)
			}
			if !gone(cmd.Process.Pid) || !gone(child) {
				t.Errorf("after Wait: leader %d gone %v, child %d gone %v", cmd.Process.Pid, gone(cmd.Process.Pid), child, gone(child))
			}
		})
	}
}

func TestUncancelledCommandRunsAsUsual(t *testing.T) {
	var out strings.Builder
	cmd := procgroup.Command(context.Background(), 0, "sh", "-c", "echo hi; exit 3")
	cmd.Stdout = &out
	err := cmd.Run()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 3 || err == nil || out.String() != "hi\n" {
		t.Errorf("Run = %v, exit %v, stdout %q; want exit 3 and hi", err, cmd.ProcessState, out.String())
	}
}

// TestBackgroundRunsAtTheLowestPriority: a Background command, and what it
// starts, run at nice 19; another at krust's own priority. The script
// waits for a line on stdin, sent once Start has returned, so that it
// reads its priority only after Start has set it.
func TestBackgroundRunsAtTheLowestPriority(t *testing.T) {
	own, err := niceOf("self")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		background bool
		want       string
	}{{true, "19"}, {false, own}} {
		cmd := procgroup.Command(context.Background(), 0, "sh", "-c", `read go; cut -d' ' -f19 /proc/self/stat`)
		cmd.Background = tt.background
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		_, err = stdin.Write([]byte("go\n"))
		if err := errors.Join(err, stdin.Close(), cmd.Wait()); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(out.String()); got != tt.want {
			t.Errorf("Background %v: the command's child runs at nice %s, want %s", tt.background, got, tt.want)
		}
	}
}

// niceOf reads the nice value of a process, field 19 of its stat.
func niceOf(pid string) (string, error) {
	fields, err := statFields(pid)
	if err != nil {
		return "", err
	}
	return fields[19-3], nil
}
