package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/regular/regulartest"
)

// refuseGuard is how long a run that must refuse a file at once may take
// before the test calls it hung: generous for a busy machine, short enough
// that a regression (a blocked open, for good) fails rather than stalls
// the suite. It guards; it synchronises nothing.
const refuseGuard = 45 * time.Second

// krustWithin runs krust and fails the test if it has not ended within
// guard, killing it.
func krustWithin(t *testing.T, guard time.Duration, dir string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(h.binDir, "krust"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A hung krust's cargo would hold the output pipes open: end the
	// whole process group, and stop waiting for the pipes soon after.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("krust %v still ran after %v and was killed; stderr:\n%s", args, guard, stderr.String())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run krust %v: %v", args, err)
	}
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	if exit != nil {
		res.code = exit.ExitCode()
	}
	return res
}

// ownFile is a file krust (or cargo on krust's behalf) reads of its own:
// where it is under the test's directory, the environment that makes krust
// read it there, and the command that reads it.
type ownFile struct {
	name string
	path string
	env  []string
	args []string
	// kinds are the kinds of file put there; nil means all of
	// regulartest.Kinds.
	kinds []string
}

// ownFiles lists them for a project at tmp/hello-krust, Docker's config in
// tmp/docker and krust's in tmp/xdg.
func ownFiles(tmp string) []ownFile {
	build := []string{"build", "--no-push", "--libc", "glibc", "--base", "scratch"}
	docker := "DOCKER_CONFIG=" + filepath.Join(tmp, "docker")
	const registry = "127.0.0.1:5999" // never reached: the CA is read first
	return []ownFile{
		{name: "krust config", path: "xdg/krust/config.toml", args: build},
		// A directory named Cargo.toml is passed over, as cargo.FindManifest
		// documents, for the nearest manifest upward.
		{name: "Cargo.toml", path: "hello-krust/Cargo.toml", args: build, kinds: []string{"fifo", "socket"}},
		{name: "Cargo.lock", path: "hello-krust/Cargo.lock", args: build},
		{name: ".cargo/config.toml", path: "hello-krust/.cargo/config.toml", args: build},
		{name: "cargo --config FILE", path: "hello-krust/extra.toml", args: append(build, "--", "--config", "extra.toml")},
		{name: "Docker config.json", path: "docker/config.json", env: []string{docker}, args: build},
		{name: "certs.d CA", path: "docker/certs.d/" + registry + "/ca.crt", env: []string{docker},
			args: []string{"build", "--libc", "glibc", "--base", "scratch", "--repo", registry + "/team"}},
		{name: "base layout", path: "base", kinds: []string{"fifo", "socket"},
			args: []string{"build", "--no-push", "--libc", "glibc", "--base", "oci:" + filepath.Join(tmp, "base") + ":v1"}},
		{name: "layout to push", path: "pushme", kinds: []string{"fifo", "socket"},
			args: []string{"push", filepath.Join(tmp, "pushme"), registry + "/team/app:v1"}},
	}
}

// TestOwnFilesThatAreNotRegularAreRefusedAtOnce puts a named pipe, a
// socket or a directory where krust reads a file of its own: the build
// fails at once, before cargo builds, naming the path and what is there,
// with nothing on stdout. A named pipe used to block krust (or cargo) in
// open(2) for good, deaf to Ctrl-C.
func TestOwnFilesThatAreNotRegularAreRefusedAtOnce(t *testing.T) {
	requireTool(t, "cargo")
	for _, f := range ownFiles("") {
		kinds := f.kinds
		if kinds == nil {
			kinds = regulartest.Kinds
		}
		for _, kind := range kinds {
			t.Run(f.name+" "+kind, func(t *testing.T) {
				tmp := t.TempDir()
				project := copyExample(t, tmp)
				f := ownFilesByName(tmp, f.name)
				path := filepath.Join(tmp, f.path)
				regulartest.Make(t, path, kind)
				env := append([]string{"XDG_CONFIG_HOME=" + filepath.Join(tmp, "xdg")}, f.env...)
				res := krustWithin(t, refuseGuard, project, env, f.args...)
				assertCleanFailure(t, res, path, regulartest.Describe[kind])
				if strings.Contains(res.stderr, "Compiling") {
					t.Errorf("cargo built before the file was refused:\n%s", res.stderr)
				}
			})
		}
	}
}

func ownFilesByName(tmp, name string) ownFile {
	for _, f := range ownFiles(tmp) {
		if f.name == name {
			return f
		}
	}
	panic("no own file " + name)
}
