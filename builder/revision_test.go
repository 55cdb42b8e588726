package builder

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestGitRunOnlyInACheckout: git is spawned for a project inside a
// checkout (found from .git above it, or GIT_DIR) and not for one outside.
func TestGitRunOnlyInACheckout(t *testing.T) {
	tests := []struct {
		name    string
		dotGit  bool // a .git above the project
		gitDir  bool // GIT_DIR set
		wantRun bool
	}{
		{"no repository", false, false, false},
		{".git above", true, false, true},
		{"GIT_DIR", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A git that records that it ran, in place of the real one.
			bin, root := t.TempDir(), t.TempDir()
			ran := filepath.Join(bin, "ran")
			mustDo(t, os.WriteFile(filepath.Join(bin, "git"), []byte("#!/bin/sh\necho x >> "+ran+"\necho 0123abc\n"), 0o755))
			t.Setenv("PATH", bin)
			t.Setenv("GIT_DIR", "")
			if tt.gitDir {
				t.Setenv("GIT_DIR", filepath.Join(root, "repo.git"))
			}
			if tt.dotGit {
				mustDo(t, os.Mkdir(filepath.Join(root, ".git"), 0o755))
			}
			project := filepath.Join(root, "a", "project")
			mustDo(t, os.MkdirAll(project, 0o755))
			rev := gitRevision(context.Background(), project)
			_, err := os.Stat(ran)
			if gotRun := err == nil; gotRun != tt.wantRun {
				t.Errorf("git ran: %v, want %v", gotRun, tt.wantRun)
			}
			if want := map[bool]string{true: "0123abc-dirty", false: ""}[tt.wantRun]; rev != want {
				t.Errorf("revision %q, want %q", rev, want)
			}
		})
	}
}

// TestGitNeverSeesTheSigningPassword: git, and what it runs (hooks,
// fsmonitor, aliases), gets krust's environment without COSIGN_PASSWORD.
func TestGitNeverSeesTheSigningPassword(t *testing.T) {
	t.Setenv("COSIGN_PASSWORD", "hunter2-in-the-environment")
	t.Setenv("KRUST_TEST_MARKER", "present")
	out, err := git(context.Background(), t.TempDir(), "-c", "alias.showenv=!env", "showenv")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "KRUST_TEST_MARKER=present") {
		t.Fatalf("the alias printed no environment: %q", out)
	}
	if strings.Contains(out, "hunter2") {
		t.Error("git's environment holds COSIGN_PASSWORD")
	}
}

// fakeCommit is what the fake git says is checked out.
const fakeCommit = "0123abc0123abc0123abc0123abc0123abc0123a"

// fakeGit puts a git in PATH that logs each command it runs to the
// returned file and answers rev-parse with fakeCommit and status with one
// changed file; before rev-parse answers, it runs first.
func fakeGit(t *testing.T, first string) string {
	t.Helper()
	bin := t.TempDir()
	log := filepath.Join(bin, "log")
	script := "#!/bin/sh\necho \"$3\" >> " + log + "\ncase \"$3\" in\n" +
		"rev-parse) " + first + "\necho " + fakeCommit + " ;;\nstatus) echo ' M src/main.rs' ;;\nesac\n"
	mustDo(t, os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("GIT_DIR", "")
	return log
}

// TestGitAskedOncePerDirectory: the packages of one workspace share git's
// answer, and another directory gets its own.
func TestGitAskedOncePerDirectory(t *testing.T) {
	log := fakeGit(t, ":")
	root := t.TempDir()
	mustDo(t, os.Mkdir(filepath.Join(root, ".git"), 0o755))
	var r revisions
	var answers []*revision
	for _, dir := range []string{"ws", "ws", "ws", "other"} {
		answers = append(answers, r.of(context.Background(), filepath.Join(root, dir)))
	}
	for i, a := range answers {
		if got := a.wait(); got != fakeCommit+"-dirty" {
			t.Errorf("answer %d: %q, want %s-dirty", i, got, fakeCommit)
		}
	}
	data, err := os.ReadFile(log)
	mustDo(t, err)
	lines := strings.Fields(string(data))
	slices.Sort(lines)
	if want := []string{"rev-parse", "rev-parse", "status", "status"}; !slices.Equal(lines, want) {
		t.Errorf("git ran %q for two directories, want %q", lines, want)
	}
}

// TestCargoDoesNotWaitForGit: git's answer is needed only once the image
// is written, so cargo starts while git still runs. The fake git answers
// only once cargo has started; were the build to wait for git first, it
// would time out and the revision would be missing.
func TestCargoDoesNotWaitForGit(t *testing.T) {
	f, opts := newFake(t)
	mustDo(t, os.Mkdir(filepath.Join(opts.Dir, ".git"), 0o755))
	fifo := filepath.Join(t.TempDir(), "cargo-started")
	mustDo(t, syscall.Mkfifo(fifo, 0o600))
	// The reader gives up after a while, so that the test fails rather
	// than hangs when the build waits for git.
	fakeGit(t, "timeout 30 sh -c 'read x < "+fifo+"' || exit 1")
	f.hook = func() {
		opened := make(chan error, 1)
		go func() {
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err == nil {
				_, err = w.WriteString("started\n")
				err = errors.Join(err, w.Close())
			}
			opened <- err
		}()
		select {
		case err := <-opened:
			mustDo(t, err)
		case <-time.After(time.Minute):
			t.Error("git was not running while cargo built")
		}
	}
	res, err := Run(context.Background(), f, opts)
	mustDo(t, err)
	var m ocispec.Manifest
	mustDo(t, oci.ReadJSON(context.Background(), mustOpen(t, res.LayoutDir), res.Root, oci.MaxManifestSize, &m))
	if got := m.Annotations[ocispec.AnnotationRevision]; got != fakeCommit+"-dirty" {
		t.Errorf("revision annotation %q, want git's %s-dirty", got, fakeCommit)
	}
}
