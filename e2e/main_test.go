// Package e2e runs the real docker-krust binary against real cargo and
// checks its output with tools nobody on this project wrote: skopeo, umoci,
// oci-image-tool, go-containerregistry's validators and the Docker Engine.
package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// binDir holds the docker-krust binary built once for all tests, with a
// krust link beside it.
type harness struct {
	binDir string
	root   string
}

func newHarness() (*harness, error) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(file))
	binDir, err := os.MkdirTemp("", "krust-e2e-bin-")
	if err != nil {
		return nil, err
	}
	build := exec.Command("go", "build", "-o", filepath.Join(binDir, "docker-krust"), "./cmd/docker-krust")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	if err := os.Symlink("docker-krust", filepath.Join(binDir, "krust")); err != nil {
		return nil, err
	}
	return &harness{binDir: binDir, root: root}, nil
}

// h is shared by the tests of this package; TestMain sets it once.
var h *harness

func TestMain(m *testing.M) {
	var err error
	if h, err = newHarness(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build docker-krust:", err)
		os.Exit(2)
	}
	code := m.Run()
	kube.Stop()
	os.RemoveAll(h.binDir)
	os.Exit(code)
}

// result is one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

// krust runs `krust ARGS...` in dir with extra environment variables.
func krust(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	return run(t, dir, env, filepath.Join(h.binDir, "krust"), args...)
}

func run(t *testing.T, dir string, env []string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run %s %v: %v", name, args, err)
	}
	return res
}

// mustRun runs a command that must succeed and returns its stdout.
func mustRun(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	res := run(t, dir, nil, name, args...)
	if res.code != 0 {
		t.Fatalf("%s %s: exit %d\nstdout: %s\nstderr: %s", name, strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res.stdout
}

// ociRef checks that a --no-push build printed exactly one line,
// oci:ABSOLUTE_DIR:TAG, and returns the directory.
func ociRef(t *testing.T, res result, tag string) string {
	t.Helper()
	if res.code != 0 {
		t.Fatalf("krust build failed: exit %d\nstderr:\n%s", res.code, res.stderr)
	}
	line, ok := strings.CutSuffix(res.stdout, "\n")
	if !ok || strings.Contains(line, "\n") {
		t.Fatalf("stdout must be exactly one line, got %q", res.stdout)
	}
	rest, ok := strings.CutPrefix(line, "oci:")
	dir, gotTag, _ := strings.Cut(rest, ":")
	if !ok || !filepath.IsAbs(dir) || gotTag != tag {
		t.Fatalf("stdout %q is not oci:ABSOLUTE_DIR:%s", line, tag)
	}
	return dir
}

// copyExample copies example/hello-krust (sources only) into a new
// directory under parent and returns its path.
func copyExample(t *testing.T, parent string) string {
	t.Helper()
	src := filepath.Join(h.root, "example", "hello-krust")
	dst := filepath.Join(parent, "hello-krust")
	for _, rel := range []string{"Cargo.toml", "Cargo.lock", "src/main.rs"} {
		data, err := os.ReadFile(filepath.Join(src, rel))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dst, rel), string(data))
	}
	return dst
}

// uniqueExample is copyExample with a marker of its own compiled into the
// binary, so that its layer's diff ID is one no other test or build makes:
// a test that asks what the shared Docker Engine does with a layer must
// not depend on whether the engine already holds that layer. The program
// prints what the example prints.
func uniqueExample(t *testing.T, parent string) string {
	t.Helper()
	dst := copyExample(t, parent)
	main := filepath.Join(dst, "src", "main.rs")
	data, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(data), "fn main() {",
		"static KRUST_TEST_MARKER: &str = \""+randomHex(t)+"\";\n\nfn main() {\n    std::hint::black_box(KRUST_TEST_MARKER);", 1)
	writeFile(t, main, src)
	return dst
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeCrate writes a crate from a map of relative paths to contents.
func writeCrate(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for rel, content := range files {
		writeFile(t, filepath.Join(dir, rel), content)
	}
	return dir
}

// requireTool fails the test when a tool .ci/run installs is missing:
// a missing tool is a broken machine, not a reason to skip.
func requireTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is not installed: .ci/run installs it (see README)", name)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
