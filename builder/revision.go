package builder

import (
	"context"
	"os/exec"
	"strings"
)

// gitRevision returns the commit checked out in dir, with "-dirty" added
// when tracked files have changes, or "" when dir is not in a git
// checkout (or git is missing).
func gitRevision(ctx context.Context, dir string) string {
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

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}
