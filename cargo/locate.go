package cargo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ManifestName is the only manifest file name cargo accepts.
const ManifestName = "Cargo.toml"

// FindManifest finds the Cargo.toml a build of path means, as cargo does:
// path may be the manifest itself, or a directory, from which the nearest
// Cargo.toml upward is taken (so a project builds from its src/). It
// returns the manifest's absolute path; arg is path as the user wrote it,
// for messages.
func FindManifest(arg string) (string, error) {
	abs, err := filepath.Abs(arg)
	if err != nil {
		return "", fmt.Errorf("project directory %s: %w", arg, err)
	}
	info, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("project directory %s does not exist: give the directory of a Cargo project, or its Cargo.toml", arg)
	}
	if err != nil {
		return "", fmt.Errorf("project directory %s: %w", arg, err)
	}
	if !info.IsDir() {
		if filepath.Base(abs) != ManifestName {
			return "", fmt.Errorf("%s is not a directory or a %s: give the directory of a Cargo project, or its %s", arg, ManifestName, ManifestName)
		}
		return abs, nil
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		manifest := filepath.Join(dir, ManifestName)
		if info, err := os.Stat(manifest); err == nil && !info.IsDir() {
			return manifest, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no %s in %s or any parent directory: run krust build in a Cargo project, or give the project's directory", ManifestName, arg)
		}
	}
}
