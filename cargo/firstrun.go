package cargo

import (
	"context"
	"os"
	"path/filepath"
)

// askSysrootEarly starts asking rustc for its sysroot, for CheckTarget,
// while cargo metadata reads the project in dir, when the project looks
// never built: a build's first run checks its Rust targets (a no-op
// rebuild skips the check, and the process would cost it about 0.025 s
// for nothing). The answer lands in the Memo, so only a Cargo with one
// asks early, and only the default builder (CheckTarget checks no other).
func (c Cargo) askSysrootEarly(ctx context.Context, dir string) {
	if c.Memo == nil || !c.IsDefault() || hasTargetDir(c.Env, dir) {
		return
	}
	c.Memo.start(c.sysrootQuestion(ctx, dir))
}

// hasTargetDir reports whether cargo's target directory for the project
// in dir seems to exist, as far as it can be told without asking cargo:
// CARGO_TARGET_DIR or CARGO_BUILD_TARGET_DIR (relative to dir, as cargo
// run there reads it), else a target directory beside the Cargo.toml of
// dir or of a directory above it (a workspace's root). A guess only
// decides whether to ask early: a wrong one costs a process or saves
// none, never a wrong answer.
func hasTargetDir(env []string, dir string) bool {
	for _, key := range []string{"CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"} {
		if v, ok := lookupEnv(env, key); ok && v != "" {
			if !filepath.IsAbs(v) {
				v = filepath.Join(dir, v)
			}
			return isDir(v)
		}
	}
	for d := dir; ; d = filepath.Dir(d) {
		if isDir(filepath.Join(d, "target")) && HasManifest(d) {
			return true
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// HasManifest reports whether dir holds a Cargo.toml that is a regular
// file (or a link to one).
func HasManifest(dir string) bool {
	info, err := os.Stat(filepath.Join(dir, "Cargo.toml"))
	return err == nil && info.Mode().IsRegular()
}
