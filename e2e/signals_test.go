package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// blockingProject writes a crate whose build script writes its pid to
// MARKERS/build-script.pid and then waits for a file that never appears,
// so that a build of it is always running cargo when it is interrupted.
func blockingProject(t *testing.T, parent string) string {
	t.Helper()
	return writeCrate(t, filepath.Join(parent, "blocker"), map[string]string{
		"Cargo.toml": "[package]\nname = \"blocker\"\nversion = \"0.1.0\"\nedition = \"2021\"\nbuild = \"build.rs\"\n",
		"build.rs": `use std::{env, fs, path::Path, thread, time::Duration};
fn main() {
    println!("cargo:rerun-if-env-changed=KRUST_TEST_MARKERS");
    let dir = env::var("KRUST_TEST_MARKERS").unwrap();
    fs::write(Path::new(&dir).join("build-script.pid"), format!("{}\n", std::process::id())).unwrap();
    while !Path::new(&dir).join("never").exists() {
        thread::sleep(Duration::from_millis(50));
    }
}
`,
		"src/main.rs": "fn main() { println!(\"blocked\"); }\n",
	})
}

// signalFace is one way to run krust: the program, the arguments before
// krust's own, and whether the signal goes to the whole process group (as
// a terminal's Ctrl-C does) rather than to the process alone.
type signalFace struct {
	name  string
	args  func(t *testing.T) (string, []string)
	group bool
	// code is the wanted exit status for a signal, when it is not 128+N.
	code func(sig syscall.Signal) int
}

func TestSignalStopsTheBuildCleanly(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "docker")
	faces := []signalFace{
		{name: "krust", args: func(*testing.T) (string, []string) { return filepath.Join(h.binDir, "krust"), nil }},
		{name: "docker-krust krust", args: func(*testing.T) (string, []string) {
			return filepath.Join(h.binDir, "docker-krust"), []string{"krust"}
		}},
		{name: "docker krust, Ctrl-C to the group", group: true, args: func(t *testing.T) (string, []string) {
			return "docker", []string{"--config", installPlugin(t), "krust"}
		}},
		// Without a terminal docker does not pass the signal on: it closes
		// the plugin socket, which does not say which signal it got.
		{name: "docker krust, signal to docker alone", args: func(t *testing.T) (string, []string) {
			return "docker", []string{"--config", installPlugin(t), "krust"}
		}, code: func(syscall.Signal) int { return 130 }},
	}
	for _, f := range faces {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			t.Run(f.name+" "+sig.String(), func(t *testing.T) {
				want := 128 + int(sig)
				if f.code != nil {
					want = f.code(sig)
				}
				interruptBuild(t, f, sig, want)
			})
		}
	}
}

// interruptBuild starts a build of blockingProject through face f, sends
// sig once the build script runs, and checks how krust ended.
func interruptBuild(t *testing.T, f signalFace, sig syscall.Signal, wantCode int) {
	tmp := t.TempDir()
	project := blockingProject(t, tmp)
	markers := filepath.Join(tmp, "markers")
	if err := os.Mkdir(markers, 0o755); err != nil {
		t.Fatal(err)
	}
	layoutParent := filepath.Join(tmp, "out")
	name, pre := f.args(t)
	args := append(pre, "build", "--no-push", "--libc", "glibc", "--base", "scratch", "--oci-layout", filepath.Join(layoutParent, "oci"))
	cmd := exec.Command(name, args...)
	cmd.Dir = project
	cmd.Env = append(os.Environ(), "KRUST_TEST_MARKERS="+markers, "DOCKER_HOST=unix:///nonexistent.sock")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }()

	script := waitForPidFile(t, filepath.Join(markers, "build-script.pid"), exited, &stderr)
	target := cmd.Process.Pid
	if f.group {
		target = -target
	}
	if err := syscall.Kill(target, sig); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30 s after %v; stderr:\n%s", sig, stderr.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("%s ended with %v after %v, want exit status %d; stderr:\n%s", name, err, sig, wantCode, stderr.String())
	}
	res := result{stdout: stdout.String(), stderr: stderr.String(), code: exit.ExitCode()}
	if res.code != wantCode {
		t.Errorf("exit status %d after %v, want %d; stderr:\n%s", res.code, sig, wantCode, res.stderr)
	}
	assertCleanFailure(t, res, "interrupted")
	if strings.Contains(res.stderr, "see cargo's messages") {
		t.Errorf("an interrupted build is reported as cargo's failure:\n%s", res.stderr)
	}
	if _, err := os.Lstat(layoutParent); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the layout directory this build created is left behind (%v)", err)
	}
	if running(script) {
		t.Errorf("the build script (pid %d) still runs after krust exited", script)
	}
}

// waitForPidFile polls for the pid file the build script writes, failing
// early if krust exits first.
func waitForPidFile(t *testing.T, path string, exited <-chan error, stderr *bytes.Buffer) int {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil && strings.HasSuffix(string(data), "\n") {
			pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			return pid
		}
		select {
		case err := <-exited:
			t.Fatalf("krust ended (%v) before the build script ran; stderr:\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("the build script did not start within 2 minutes; stderr:\n%s", stderr.String())
	return 0
}

// running reports whether pid is a live process (not gone, not a zombie).
func running(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	rest := string(data[strings.LastIndexByte(string(data), ')')+1:])
	fields := strings.Fields(rest)
	return len(fields) > 0 && fields[0] != "Z"
}
