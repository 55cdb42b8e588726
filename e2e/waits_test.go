package e2e

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// loadFaults are the engines no real engine can be made into: silent from
// the first connection, and stalled in the middle of the image load; what
// the error must name of what the engine did not answer.
var loadFaults = []struct {
	name      string
	stallLoad bool
	request   string
}{
	{"silent from the start", false, "GET /version"},
	{"stalled in the middle of the image", true, "POST /images/load"},
}

// TestLoadIntoAnEngineThatDoesNotAnswerIsBounded: --load against an engine
// that accepts the connection and does not answer ends after --timeout
// (used to hang for good), naming the engine and what it did not answer,
// with nothing on stdout; the layout stays valid and its lease is released,
// so gc runs right after.
func TestLoadIntoAnEngineThatDoesNotAnswerIsBounded(t *testing.T) {
	requireTool(t, "cargo")
	for _, tc := range loadFaults {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			project := copyExample(t, tmp)
			dir := filepath.Join(tmp, "out", "oci")
			eng := startFakeEngine(t, tc.stallLoad)
			res := krustGuarded(t, project, []string{"DOCKER_HOST=" + eng.host},
				"build", "--libc", "glibc", "--base", "scratch", "--load", "--timeout", "2s", "--oci-layout", dir)
			ended := time.Now()
			assertCleanFailure(t, res, eng.host, "did not answer", tc.request, "within 2s (the --timeout)", dir)
			select {
			case <-eng.seen:
			default:
				t.Fatalf("krust never connected to the engine; stderr:\n%s", res.stderr)
			}
			// docker/cli's own connection check (2 s) may come first.
			if waited := ended.Sub(eng.seenAt); waited > 20*time.Second {
				t.Errorf("krust waited %v for the engine with --timeout 2s", waited)
			}
			gc := krustGuarded(t, "", nil, "gc", dir)
			if gc.code != 0 {
				t.Fatalf("krust gc right after the failed --load: exit %d, the lease is still held?\n%s", gc.code, gc.stderr)
			}
			validateLayout(t, dir)
			layoutConfig(t, dir, "latest")
		})
	}
}

// TestSignalEndsTheWaitForTheEngine: SIGINT or SIGTERM while krust waits
// for an engine (no --timeout: only the signal can end it) ends krust at
// once with 130 or 143, nothing on stdout, the layout valid and free for
// gc. The signal is sent once the engine has seen krust's connection (the
// silent engine) or the first bytes of the image (the stalled load).
func TestSignalEndsTheWaitForTheEngine(t *testing.T) {
	requireTool(t, "cargo")
	for _, tc := range loadFaults {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			t.Run(tc.name+" "+sig.String(), func(t *testing.T) {
				tmp := t.TempDir()
				project := copyExample(t, tmp)
				dir := filepath.Join(tmp, "out", "oci")
				eng := startFakeEngine(t, tc.stallLoad)
				p := startKrust(t, project, []string{"DOCKER_HOST=" + eng.host},
					"build", "--libc", "glibc", "--base", "scratch", "--load", "--oci-layout", dir)
				exited := make(chan error, 1)
				go func() { exited <- p.cmd.Wait() }()
				defer func() { _ = p.cmd.Process.Kill() }()
				ready := eng.seen
				if tc.stallLoad {
					ready = eng.loading
				}
				select {
				case <-ready:
				case err := <-exited:
					t.Fatalf("krust ended (%v) before it waited for the engine; stderr:\n%s", err, p.stderr.String())
				case <-time.After(2 * time.Minute):
					t.Fatalf("krust did not reach the engine within 2 minutes; stderr:\n%s", p.stderr.String())
				}
				if err := p.cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				sent := time.Now()
				var err error
				select {
				case err = <-exited:
				case <-time.After(time.Minute):
					t.Fatalf("still waiting for the engine a minute after %v; stderr:\n%s", sig, p.stderr.String())
				}
				if took := time.Since(sent); took > 1500*time.Millisecond {
					t.Errorf("krust took %v to end after %v, want at once", took, sig)
				}
				res := exitResult(t, err, &p.stdout, &p.stderr)
				if want := 128 + int(sig); res.code != want {
					t.Errorf("exit status %d after %v, want %d; stderr:\n%s", res.code, sig, want, res.stderr)
				}
				assertCleanFailure(t, res, "interrupted")
				if gc := krustGuarded(t, "", nil, "gc", dir); gc.code != 0 {
					t.Fatalf("krust gc right after the interrupted --load: exit %d\n%s", gc.code, gc.stderr)
				}
				validateLayout(t, dir)
			})
		}
	}
}

// exitResult turns how a started krust ended into a result.
func exitResult(t *testing.T, err error, stdout, stderr *bytes.Buffer) result {
	t.Helper()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("krust ended with %v, want an exit status; stderr:\n%s", err, stderr.String())
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: exit.ExitCode()}
}
