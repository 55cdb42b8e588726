package cargo

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/docker-krust/docker-krust/internal/regular"
)

// checkCargoFiles refuses, before cargo runs in dir, anything but a
// regular file where cargo, and krust after it, read the project's
// manifests and configuration: the Cargo.toml and .cargo/config(.toml) of
// dir and of each parent (where cargo looks for the workspace root and
// for configuration), and CARGO_HOME's config. Opening a named pipe would
// make cargo wait for ever, and krust with it.
func checkCargoFiles(env []string, dir string) error {
	var paths []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		paths = append(paths, filepath.Join(d, ManifestName))
		paths = append(paths, configNames(filepath.Join(d, ".cargo"))...)
		if filepath.Dir(d) == d {
			break
		}
	}
	if home := Home(getenvOf(env)); home != "" {
		paths = append(paths, configNames(home)...)
	}
	for _, p := range paths {
		if err := regular.Check(p); errors.Is(err, regular.ErrNotRegular) {
			return fmt.Errorf("%w; cargo reads it as a file, and would wait for ever on a named pipe: replace it with a regular file, or remove it", err)
		}
	}
	return nil
}

// configNames are the config files cargo reads in a .cargo directory.
func configNames(dir string) []string {
	return []string{filepath.Join(dir, "config"), filepath.Join(dir, "config.toml")}
}

// checkLockfile refuses, before cargo builds, a Cargo.lock in the
// workspace root that is not a regular file: cargo reads and rewrites it,
// and would wait for ever on a named pipe. A missing one is cargo's to
// write.
func checkLockfile(root string) error {
	path := filepath.Join(root, LockfileName)
	if err := regular.Check(path); errors.Is(err, regular.ErrNotRegular) {
		return fmt.Errorf("%w; cargo reads and writes it as a file, and would wait for ever on a named pipe: remove it (cargo writes it again) or put the project's Cargo.lock there", err)
	}
	return nil
}
