package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// archiveNames lists the entries of the tar archive in data.
func archiveNames(t *testing.T, data []byte) []string {
	t.Helper()
	cmd := exec.Command("tar", "tf", "-")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tar tf: %v (%d bytes)", err, len(data))
	}
	return strings.Fields(string(out))
}

// assertLink fails unless path is still a symbolic link to target.
func assertLink(t *testing.T, path, target string) {
	t.Helper()
	if got, err := os.Readlink(path); err != nil || got != target {
		t.Errorf("%q is no longer a link to %q (readlink: %q, %v)", path, target, got, err)
	}
}

// TestOutputsFollowLinksWhateverTheirNames: a link given as an output is
// followed (its target is written, replaced whole, keeping its mode; the
// link stays a link), also dangling, and names with spaces, newlines,
// colons, unicode and a leading dash work.
func TestOutputsFollowLinksWhateverTheirNames(t *testing.T) {
	requireTool(t, "cargo")
	tmp := t.TempDir()
	project := copyExample(t, tmp)
	out, elsewhere := filepath.Join(tmp, "out dir:1"), filepath.Join(tmp, "élsewhere ✓")
	for _, d := range []string{out, elsewhere} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tarTarget := filepath.Join(elsewhere, "-image\nv1.tar")
	writeFile(t, tarTarget, "old")
	if err := os.Chmod(tarTarget, 0o600); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{ // link name in out -> target, relative
		"tar link":  "../élsewhere ✓/-image\nv1.tar",
		"refs link": "../élsewhere ✓/refs:new", // dangling
		"docs link": "../élsewhere ✓/docs ü",   // dangling, a directory
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(out, name)); err != nil {
			t.Fatal(err)
		}
	}
	res := krust(t, project, nil, append(slices.Clone(glibcScratch), "--tag", "links",
		"--tarball", filepath.Join(out, "tar link"), "--image-refs", filepath.Join(out, "refs link"),
		"--sbom-dir", filepath.Join(out, "docs link"))...)
	ociRef(t, res, "links")
	for name, target := range links {
		assertLink(t, filepath.Join(out, name), target)
	}
	data, err := os.ReadFile(tarTarget)
	if err != nil || !slices.Contains(archiveNames(t, data), "manifest.json") {
		t.Errorf("the tarball's target holds no docker archive (%d bytes, %v)", len(data), err)
	}
	if info, err := os.Stat(tarTarget); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the tarball's target lost its mode 0600: %v, %v", info.Mode(), err)
	}
	if refs, err := os.ReadFile(filepath.Join(elsewhere, "refs:new")); err != nil || string(refs) != res.stdout {
		t.Errorf("the refs link's target holds %q (%v), want %q", refs, err, res.stdout)
	}
	docs, err := os.ReadDir(filepath.Join(elsewhere, "docs ü"))
	if err != nil || len(docs) != 2 {
		t.Errorf("the docs link's target holds %v (%v), want the SBOM and the provenance", docs, err)
	}
	// A relative path with a leading dash, in the project's directory.
	res = krust(t, project, nil, append(slices.Clone(glibcScratch), "--tag", "dash", "--tarball", "-dash.tar")...)
	ociRef(t, res, "dash")
	if data, err := os.ReadFile(filepath.Join(project, "-dash.tar")); err != nil || !slices.Contains(archiveNames(t, data), "manifest.json") {
		t.Errorf("--tarball -dash.tar wrote no archive (%v)", err)
	}
}

// TestTarballStreamsIntoPipes: --tarball into a named pipe or a shell's
// >(docker load) streams the archive in place: a reader gets exactly the
// archive a file gets, docker load loads it and the image runs; the pipe
// stays a pipe.
func TestTarballStreamsIntoPipes(t *testing.T) {
	requireTool(t, "cargo")
	requireTool(t, "docker")
	tmp := t.TempDir()
	project := copyExample(t, tmp)
	tag := "e2e-pipe-" + randomHex(t)
	args := append(slices.Clone(glibcScratch), "--tag", tag)
	file := filepath.Join(tmp, "img.tar")
	ociRef(t, krust(t, project, nil, append(slices.Clone(args), "--tarball", file)...), tag)
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a named pipe", func(t *testing.T) {
		fifo := filepath.Join(tmp, "pipe")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		// The test holds a writing end while krust runs, so that its
		// reader sees the end of the stream only once krust is done,
		// whatever krust did with the pipe.
		hold, err := os.OpenFile(fifo, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan []byte, 1)
		go func() {
			r, err := os.Open(fifo)
			if err != nil {
				got <- nil
				return
			}
			defer r.Close()
			data, _ := io.ReadAll(r)
			got <- data
		}()
		res := krustGuarded(t, project, nil, append(slices.Clone(args), "--tarball", fifo)...)
		hold.Close()
		ociRef(t, res, tag)
		if data := <-got; !bytes.Equal(data, want) {
			t.Errorf("the pipe's reader got %d bytes, the file %d: not the same archive", len(data), len(want))
		}
		if info, err := os.Lstat(fifo); err != nil || info.Mode()&fs.ModeNamedPipe == 0 {
			t.Errorf("the named pipe was replaced: %v, %v", info.Mode(), err)
		}
	})

	t.Run("bash's >(docker load)", func(t *testing.T) {
		name := "krust.local/hello-krust:" + tag
		removeImage(t, name)
		loaded := filepath.Join(tmp, "loaded.txt")
		script := `"$@" --tarball >(docker load > "$LOADED"); status=$?; wait $!; exit $status`
		cmd := exec.Command("bash", append([]string{"-c", script, "bash", filepath.Join(h.binDir, "krust")}, args...)...)
		cmd.Dir, cmd.Env = project, append(os.Environ(), "LOADED="+loaded)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		ociRef(t, result{stdout: stdout.String(), stderr: stderr.String(), code: exitCode(t, err)}, tag)
		if data, _ := os.ReadFile(loaded); !strings.Contains(string(data), name) {
			t.Fatalf("docker load said %q, want it to load %s", data, name)
		}
		if out := mustRun(t, "", "docker", "run", "--rm", "--network", "none", name); !strings.Contains(out, greeting) {
			t.Errorf("docker run %s printed %q", name, out)
		}
	})
}

// exitCode is the exit status err reports (0 for nil).
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return 0
}

// TestPipeWithoutReaderDoesNotHoldKrust: a named pipe nobody reads does
// not hold krust: it says it waits, Ctrl-C ends the wait at once (exit
// 130) and --timeout bounds it (exit 1); the pipe stays a pipe, krust
// keeps no end of it open, stdout stays empty.
func TestPipeWithoutReaderDoesNotHoldKrust(t *testing.T) {
	requireTool(t, "cargo")
	tmp := t.TempDir()
	project := copyExample(t, tmp)
	tests := []struct {
		name     string
		timeout  string
		sigint   bool
		wantCode int
		want     string
	}{
		{"Ctrl-C", "10m", true, 130, "interrupted by SIGINT"},
		{"--timeout", "2s", false, 1, "no reader opened the pipe within 2s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "pipe")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(filepath.Join(h.binDir, "krust"), append(slices.Clone(glibcScratch), "--tag", "nopipe", "--timeout", tt.timeout, "--tarball", fifo)...)
			cmd.Dir = project
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			stderrPipe, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			guard := time.AfterFunc(hangGuard, func() { cmd.Process.Kill() })
			defer guard.Stop()
			var stderr strings.Builder
			scanner := bufio.NewScanner(stderrPipe)
			waiting := false
			for scanner.Scan() {
				stderr.WriteString(scanner.Text() + "\n")
				if !waiting && strings.Contains(scanner.Text(), "waiting for a reader of the pipe") {
					waiting = true
					if tt.sigint {
						cmd.Process.Signal(syscall.SIGINT)
					}
				}
			}
			code := exitCode(t, cmd.Wait())
			if !guard.Stop() {
				t.Fatalf("krust still waited after %v and was killed; stderr:\n%s", hangGuard, stderr.String())
			}
			if !waiting || code != tt.wantCode || stdout.Len() > 0 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("said it waits: %v, exit %d (want %d), stdout %q, stderr (want %q):\n%s", waiting, code, tt.wantCode, stdout.String(), tt.want, stderr.String())
			}
			if info, err := os.Lstat(fifo); err != nil || info.Mode()&fs.ModeNamedPipe == 0 {
				t.Errorf("the named pipe was replaced: %v, %v", info.Mode(), err)
			}
			if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); !errors.Is(err, syscall.ENXIO) {
				if err == nil {
					w.Close()
				}
				t.Errorf("after krust ended the pipe still has a reader (open: %v)", err)
			}
		})
	}
}

// TestOutputsOnAFullFileSystem: outputs that a full file system refuses
// after the build fail the run (exit 1, nothing on stdout) and leave
// exactly what was there: the old tarball and reference file, no temp
// file, no directory --sbom-dir made; the layout keeps the image built.
func TestOutputsOnAFullFileSystem(t *testing.T) {
	requireTool(t, "cargo")
	tmp := t.TempDir()
	project := copyExample(t, tmp)
	tests := []struct {
		name string
		// free is how much room the file system keeps: the archive is
		// about 650 kB, a document a few.
		free int64
		args func(full string) []string
	}{
		{"--tarball and --image-refs", 256 << 10, func(full string) []string {
			return []string{"--tarball", filepath.Join(full, "img.tar"), "--image-refs", filepath.Join(full, "refs")}
		}},
		{"--image-refs", 0, func(full string) []string { return []string{"--image-refs", filepath.Join(full, "refs")} }},
		{"--sbom-dir", 0, func(full string) []string { return []string{"--sbom-dir", filepath.Join(full, "new", "docs")} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			full := filepath.Join(t.TempDir(), "full")
			if err := os.Mkdir(full, 0o755); err != nil {
				t.Fatal(err)
			}
			mountTmpfs(t, full, "5m")
			writeFile(t, filepath.Join(full, "img.tar"), "old archive")
			writeFile(t, filepath.Join(full, "refs"), "old reference\n")
			fill(t, filepath.Join(full, "filler"), tt.free)
			before := treeState(t, full)
			tag := "full-" + randomHex(t)
			res := krust(t, project, nil, append(append(slices.Clone(glibcScratch), "--tag", tag), tt.args(full)...)...)
			assertCleanFailure(t, res, "no space left on device")
			if res.code != 1 {
				t.Errorf("exit status %d, want 1", res.code)
			}
			if after := treeState(t, full); after != before {
				t.Errorf("the full file system changed:\nbefore:\n%safter:\n%s", before, after)
			}
			dir := filepath.Join(project, "target", "krust", "hello-krust", "hello-krust")
			if !slices.Contains(indexTags(t, dir), tag) {
				t.Errorf("the layout lost the image built")
			}
			if problems := layoutProblems(t, dir); len(problems) > 0 {
				t.Errorf("the layout is damaged:\n%s", strings.Join(problems, "\n"))
			}
		})
	}
}

// fill writes a file at path until its file system keeps only free bytes
// (rounded to pages), or nothing.
func fill(t *testing.T, path string, free int64) {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil {
		t.Fatal(err)
	}
	size := int64(st.Bavail)*int64(st.Bsize) - free
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for written := int64(0); free > 0 && written < size; written += int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(int64(len(chunk)), size-written)]); err != nil {
			t.Fatal(err)
		}
	}
	if free == 0 {
		for {
			if _, err := f.Write(chunk); errors.Is(err, syscall.ENOSPC) {
				return
			} else if err != nil {
				t.Fatal(err)
			}
		}
	}
}
