package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/imageref"
	"github.com/docker-krust/docker-krust/internal/flock"
)

// stableRoot is where builds with path dependencies outside their
// workspace see their sources, the same on every machine.
const stableRoot = "/tmp/krust-build"

// stablePaths exposes the directory holding the workspace and its outside
// path dependencies under a fixed path, so that cargo sees the same paths
// wherever the sources are checked out. Cargo hashes a path dependency
// outside the workspace by its absolute path into every symbol name, so
// without this the binary depends on where it was built.
type stablePaths struct {
	real, stable string
	lock         *os.File
}

// outsideDeps lists the path dependencies outside the workspace root.
func outsideDeps(proj *cargo.Project) []string {
	var out []string
	for _, p := range proj.Packages {
		for _, d := range p.Dependencies {
			if d.Path != "" && !within(d.Path, proj.WorkspaceRoot) {
				out = append(out, d.Path)
			}
		}
	}
	return out
}

// exposeStable links stableRoot/PACKAGE to the common ancestor of the
// workspace and its outside path dependencies, holding a lock so that
// concurrent builds of same-named packages take turns. It returns nil when
// there is nothing outside the workspace.
func exposeStable(ctx context.Context, proj *cargo.Project, pkg string) (*stablePaths, error) {
	deps := outsideDeps(proj)
	if len(deps) == 0 {
		return nil, nil
	}
	real := proj.WorkspaceRoot
	for _, d := range deps {
		real = commonAncestor(real, d)
	}
	name, err := imageref.Component(pkg)
	if err != nil {
		name = "build"
	}
	if err := prepareStableRoot(); err != nil {
		return nil, err
	}
	s := &stablePaths{real: real, stable: filepath.Join(stableRoot, name)}
	if s.lock, err = os.OpenFile(s.stable+".lock", os.O_CREATE|os.O_RDWR, 0o600); err != nil {
		return nil, fmt.Errorf("lock %s: %w", s.stable, err)
	}
	if err := flock.Wait(ctx, s.lock.Fd(), flock.Exclusive); err != nil {
		s.lock.Close()
		return nil, fmt.Errorf("wait for another build of %s using %s: %w", pkg, s.stable, err)
	}
	if err := replaceSymlink(real, s.stable); err != nil {
		s.release()
		return nil, err
	}
	return s, nil
}

// prepareStableRoot makes stableRoot shared like /tmp (sticky, writable by
// all), and refuses it when another user owns it: they could point our
// link at sources of theirs.
func prepareStableRoot() error {
	if err := os.MkdirAll(stableRoot, 0o755); err != nil {
		return fmt.Errorf("prepare %s for a reproducible build: %w", stableRoot, err)
	}
	info, err := os.Lstat(stableRoot)
	if err != nil {
		return fmt.Errorf("prepare %s: %w", stableRoot, err)
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !info.IsDir() || !ok || st.Uid != 0 && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("%s is not a directory owned by root or by you: remove it, or build without path dependencies outside the workspace", stableRoot)
	}
	if int(st.Uid) == os.Getuid() && info.Mode().Perm()|os.ModeSticky != 0o777|os.ModeSticky {
		if err := os.Chmod(stableRoot, 0o777|os.ModeSticky); err != nil {
			return fmt.Errorf("prepare %s: %w", stableRoot, err)
		}
	}
	return nil
}

// replaceSymlink points link at target atomically.
func replaceSymlink(target, link string) error {
	tmp := fmt.Sprintf("%s.%d.tmp", link, os.Getpid())
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("link %s: %w", link, err)
	}
	if err := os.Rename(tmp, link); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("link %s: %w", link, err)
	}
	return nil
}

// toStable and toReal translate paths between the two views.
func (s *stablePaths) toStable(path string) string { return swapPrefix(path, s.real, s.stable) }
func (s *stablePaths) toReal(path string) string   { return swapPrefix(path, s.stable, s.real) }

func (s *stablePaths) release() {
	if s != nil && s.lock != nil {
		_ = s.lock.Close()
	}
}

func swapPrefix(path, from, to string) string {
	if rel, err := filepath.Rel(from, path); err == nil && within(path, from) {
		return filepath.Join(to, rel)
	}
	return path
}

// commonAncestor returns the deepest directory holding both a and b.
func commonAncestor(a, b string) string {
	for !within(b, a) {
		parent := filepath.Dir(a)
		if parent == a {
			return a
		}
		a = parent
	}
	return a
}
