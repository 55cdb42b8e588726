package builder

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/docker-krust/docker-krust/sign"
)

// gitRevision returns the commit checked out in dir, with "-dirty" added
// when tracked files have changes, or "" when dir is not in a git
// checkout (or git is missing). Outside a checkout git is not run at all:
// it would only fail, at the cost of a process on every build.
func gitRevision(ctx context.Context, dir string) string {
	if !inGitCheckout(dir) {
		return ""
	}
	head, err := git(ctx, dir, "rev-parse", "HEAD")
	if err != nil || head == "" {
		return ""
	}
	status, err := git(ctx, dir, "status", "--porcelain", "--untracked-files=no")
	if err != nil {
		return head
	}
	if status != "" {
		return head + "-dirty"
	}
	return head
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
