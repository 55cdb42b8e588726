package builder

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/docker-krust/docker-krust/sign"
)

// gitRevision returns the commit checked out in dir, with "-dirty" added
// when tracked files have changes, or "" when dir is not in a git
// checkout (or git is missing). Outside a checkout git is not run at all:
// it would only fail, at the cost of a process on every build. The two
// questions do not depend on each other: git answers them side by side.
func gitRevision(ctx context.Context, dir string) string {
	if !inGitCheckout(dir) {
		return ""
	}
	type answer struct {
		out string
		err error
	}
	changes := make(chan answer, 1)
	go func() {
		out, err := git(ctx, dir, "status", "--porcelain", "--untracked-files=no")
		changes <- answer{out, err}
	}()
	head, err := git(ctx, dir, "rev-parse", "HEAD")
	status := <-changes
	switch {
	case err != nil || head == "":
		return ""
	case status.err == nil && status.out != "":
		return head + "-dirty"
	}
	return head
}

// longestRevision is as long as any revision gitRevision returns (a
// SHA-256 commit, dirty): what the checks made before git answers count.
var longestRevision = strings.Repeat("f", 64) + "-dirty"

// revisions asks git for the revision of each directory once, in the
// background: the packages of a workspace share one answer, and git runs
// while cargo does instead of before it. The zero value is ready to use.
type revisions struct {
	mu    sync.Mutex
	byDir map[string]*revision
}

// revision is git's answer for one directory, once done is closed.
type revision struct {
	done chan struct{}
	rev  string
}

// of starts asking for dir's revision, unless it was asked already.
func (r *revisions) of(ctx context.Context, dir string) *revision {
	r.mu.Lock()
	defer r.mu.Unlock()
	if a, ok := r.byDir[dir]; ok {
		return a
	}
	if r.byDir == nil {
		r.byDir = map[string]*revision{}
	}
	a := &revision{done: make(chan struct{})}
	r.byDir[dir] = a
	go func() {
		defer close(a.done)
		a.rev = gitRevision(ctx, dir)
	}()
	return a
}

// wait returns the revision once git has answered; git stops with ctx.
func (a *revision) wait() string {
	<-a.done
	return a.rev
}

// inGitCheckout reports whether git could find a repository for dir: a
// .git (directory, or file of a worktree or submodule) in dir or above,
// or a GIT_DIR that names one.
func inGitCheckout(dir string) bool {
	if os.Getenv("GIT_DIR") != "" {
		return true
	}
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return true
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	// The signing key's password is nothing git, or a hook it runs, needs.
	cmd.Env = sign.WithoutPassword(os.Environ())
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}
