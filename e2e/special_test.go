package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// hangGuard is how long a run against a broken layout may take before the
// test calls it hung (a FIFO used to block krust for good). It fails the
// test; nothing waits for it.
const hangGuard = 2 * time.Minute

// krustGuarded is krust with hangGuard: a run that outlives it is killed
// and fails the test.
func krustGuarded(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(h.binDir, "krust"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("krust %v hung for %v and was killed; stderr:\n%s", args, hangGuard, stderr.String())
	}
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run krust %v: %v", args, err)
	}
	return res
}

// replaceWithFIFO puts a named pipe where the file at path was. The
// cleanup opens its writing end, so a reader stuck on it (the bug) ends.
func replaceWithFIFO(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			syscall.Close(fd)
		}
	})
}

// TestFIFOInABaseLayoutFailsFast puts a FIFO where each document of a base
// layout is expected: the build fails at once, naming the path, with
// nothing on stdout and no layout left behind.
func TestFIFOInABaseLayoutFailsFast(t *testing.T) {
	requireTool(t, "cargo")
	tests := []struct {
		name string
		path func(dir string) string
	}{
		{"oci-layout", func(dir string) string { return filepath.Join(dir, "oci-layout") }},
		{"index.json", func(dir string) string { return filepath.Join(dir, "index.json") }},
		{"manifest", func(dir string) string { return blobPath(dir, manifestFor(t, dir, "v1")) }},
		{"config", func(dir string) string { return blobPath(dir, imageFor(t, dir, "v1").Config) }},
		{"layer", func(dir string) string { return blobPath(dir, imageFor(t, dir, "v1").Layers[0]) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := makeBase(t)
			fifo := tt.path(base)
			replaceWithFIFO(t, fifo)
			project := t.TempDir()
			helloCrate(t, project)
			res := krustGuarded(t, project, isolatedEnv(t), "build", "--no-push", "--libc", "glibc", "--base", "oci:"+base+":v1")
			assertCleanFailure(t, res, fifo, "named pipe")
			assertNoLayout(t, filepath.Join(project, "target", "krust"))
		})
	}
}

// TestBaseLayerLinkedToASecretIsNotDisclosed links a base layer to a file
// outside the base layout: the build is refused and neither the file's
// content nor its size appears in any output.
func TestBaseLayerLinkedToASecretIsNotDisclosed(t *testing.T) {
	requireTool(t, "cargo")
	base := makeBase(t)
	layer := blobPath(base, imageFor(t, base, "v1").Layers[0])
	secret := strings.Repeat("hunter2-", 777) // 6216 bytes
	secretFile := filepath.Join(t.TempDir(), "secret")
	writeFile(t, secretFile, secret)
	if err := os.Remove(layer); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secretFile, layer); err != nil {
		t.Fatal(err)
	}
	project := t.TempDir()
	helloCrate(t, project)
	res := krustGuarded(t, project, isolatedEnv(t), "build", "--no-push", "--libc", "glibc", "--base", "oci:"+base+":v1")
	assertCleanFailure(t, res, layer, "leads out of the layout")
	for _, leak := range []string{"hunter2", strconv.Itoa(len(secret))} {
		if strings.Contains(res.stderr, leak) {
			t.Errorf("stderr discloses the linked file (%q):\n%s", leak, res.stderr)
		}
	}
}

// TestSpecialFilesInPushedAndOutputLayoutsFailFast covers `krust push` of
// a layout with a FIFO index.json or layer, and a build into a layout
// whose blobs/sha256 leads elsewhere.
func TestSpecialFilesInPushedAndOutputLayoutsFailFast(t *testing.T) {
	requireTool(t, "cargo")
	reg := testregistry.Start(t, testregistry.Options{})
	project := copyExample(t, t.TempDir())
	built := ociRef(t, krust(t, project, isolatedEnv(t), glibcScratch...), "latest")
	layer := func(dir string) string {
		m := imageFor(t, dir, "latest")
		return blobPath(dir, m.Layers[len(m.Layers)-1])
	}
	tests := []struct {
		name string
		path func(dir string) string
	}{
		{"index.json", func(dir string) string { return filepath.Join(dir, "index.json") }},
		{"layer", layer},
		{"manifest", func(dir string) string { return blobPath(dir, manifestFor(t, dir, "latest")) }},
	}
	for _, tt := range tests {
		t.Run("push/"+tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "layout")
			mustRun(t, "", "cp", "-a", built, dir)
			fifo := tt.path(dir)
			replaceWithFIFO(t, fifo)
			res := krustGuarded(t, "", isolatedEnv(t), "push", "oci:"+dir+":latest", reg.Host+"/special:v1")
			assertCleanFailure(t, res, fifo, "named pipe")
		})
	}
	t.Run("build/blobs-sha256-linked-out", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "layout")
		mustRun(t, "", "cp", "-a", built, dir)
		outside := t.TempDir()
		blobs := filepath.Join(dir, "blobs", "sha256")
		if err := os.Rename(blobs, filepath.Join(outside, "sha256")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(outside, "sha256"), blobs); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, outside)
		var had ocispec.Index
		readJSONFile(t, filepath.Join(dir, "index.json"), &had)
		res := krustGuarded(t, project, isolatedEnv(t), append(glibcScratch, "--oci-layout", dir, "--tag", "again")...)
		assertCleanFailure(t, res, blobs, "leads out of the layout")
		if after := snapshot(t, outside); after != before {
			t.Errorf("the build wrote outside its layout:\nbefore %s\nafter  %s", before, after)
		}
		var idx ocispec.Index
		readJSONFile(t, filepath.Join(dir, "index.json"), &idx)
		if len(idx.Manifests) != len(had.Manifests) {
			t.Errorf("index.json has %d entries after the refused build, want the %d it had", len(idx.Manifests), len(had.Manifests))
		}
	})
}
