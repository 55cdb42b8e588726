package builder

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
