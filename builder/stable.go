package builder

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/imageref"
	"github.com/docker-krust/docker-krust/internal/flock"
	"github.com/docker-krust/docker-krust/internal/regular"
)

// stableRootFor returns the directory where uid's builds with path
// dependencies outside their workspace see their sources. It is private to
// the user (a directory shared by all users can be planted or blocked by
// any of them) and fixed: not under TMPDIR or XDG_RUNTIME_DIR, which
// differ between machines, because the path ends up in the binary (cargo
// hashes an outside path dependency's path into its symbol names). So the
// binary is the same for the same user id on any machine, and differs
// between user ids.
func stableRootFor(uid int) string {
	return fmt.Sprintf("/tmp/krust-build-%d", uid)
}

// stablePaths exposes the directory holding the workspace and its outside
// path dependencies under a fixed path, so that cargo sees the same paths
// wherever the sources are checked out. Cargo hashes a path dependency
// outside the workspace by its absolute path into every symbol name, so
// without this the binary depends on where it was built.
type stablePaths struct {
	real, stable string
	lock         *os.File
	linked       bool
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

// exposeStable links the user's stable root/PACKAGE to the common ancestor
// of the workspace and its outside path dependencies, holding a lock so
// that concurrent builds of same-named packages take turns; release
// removes the link again. It returns nil when there is nothing outside the
// workspace.
func exposeStable(ctx context.Context, proj *cargo.Project, pkg string) (*stablePaths, error) {
	if len(outsideDeps(proj)) == 0 {
		return nil, nil
	}
	return exposeStableIn(ctx, stableRootFor(os.Getuid()), os.Getuid(), proj, pkg)
}

// exposeStableIn is exposeStable with the stable root and its owner given.
func exposeStableIn(ctx context.Context, root string, uid int, proj *cargo.Project, pkg string) (*stablePaths, error) {
	real := proj.WorkspaceRoot
	for _, d := range outsideDeps(proj) {
		real = commonAncestor(real, d)
	}
	name, err := imageref.Component(pkg)
	if err != nil {
		name = "build"
	}
	if err := prepareStableRoot(root, uid); err != nil {
		return nil, err
	}
	s := &stablePaths{real: real, stable: filepath.Join(root, name)}
	if s.lock, err = openLock(s.stable + ".lock"); err != nil {
		return nil, err
	}
	if err := flock.Wait(ctx, s.lock.Fd(), flock.Exclusive); err != nil {
		s.lock.Close()
		return nil, fmt.Errorf("wait for another build of %s using %s: %w", pkg, s.stable, err)
	}
	if err := replaceSymlink(real, s.stable); err != nil {
		s.release()
		return nil, err
	}
	s.linked = true
	return s, nil
}

// prepareStableRoot creates root (mode 0700) and refuses it unless it is
// a real directory that uid owns and no one else can write: whoever can
// write there can point our link at sources of theirs.
func prepareStableRoot(root string, uid int) error {
	if err := os.Mkdir(root, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("prepare %s for a reproducible build: %w", root, err)
	}
	info, err := os.Lstat(root)
	if err != nil {
		return fmt.Errorf("prepare %s for a reproducible build: %w", root, err)
	}
	fileUID, ok := owner(info)
	switch {
	case info.Mode()&os.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link, not krust's directory: remove it (rm %s), or build without path dependencies outside the workspace", root, root)
	case !info.IsDir():
		return fmt.Errorf("%s is not a directory: remove it (rm %s), or build without path dependencies outside the workspace", root, root)
	case !ok:
		return fmt.Errorf("prepare %s: cannot tell its owner", root)
	case fileUID != uid:
		return fmt.Errorf("%s belongs to user %d, not to you (user %d): have it removed (sudo rm -r %s), or build without path dependencies outside the workspace", root, fileUID, uid, root)
	case info.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("%s can be written by other users (mode %v): chmod 700 %s", root, info.Mode().Perm(), root)
	}
	return nil
}

// openLock opens (creating) the lock file at path, never through a
// symbolic link and never anything but a regular file; a named pipe is
// refused at once (lockOpenFlags make its open return), a socket or a
// directory by what it is.
func openLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|lockOpenFlags, 0o600)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("lock %s: it is a symbolic link, not krust's lock file: remove it (rm %s)", path, path)
	}
	if err != nil {
		if info, serr := os.Lstat(path); serr == nil && !info.Mode().IsRegular() {
			return nil, notALock(path, info.Mode())
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, notALock(path, info.Mode())
	}
	return f, nil
}

// notALock refuses what is at a lock file's path, of mode's type.
func notALock(path string, mode fs.FileMode) error {
	return fmt.Errorf("lock %w, not krust's lock file: remove it (rm -r %s)", regular.NotRegular(path, mode), path)
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

// release removes the link (so that none is left pointing at sources that
// may be deleted) and then the lock. The lock file stays: removing it
// would let a waiting build and a new one both take "the" lock.
func (s *stablePaths) release() {
	if s == nil {
		return
	}
	if s.linked {
		_ = os.Remove(s.stable)
		s.linked = false
	}
	if s.lock != nil {
		_ = s.lock.Close()
		s.lock = nil
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
