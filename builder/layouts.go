package builder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// layoutsRel is where, under cargo's target directory, builds put their
// layouts when the Request names none (see defaultLayoutDir); the layer
// cache lives there too (layerCacheRel).
const layoutsRel = "krust"

// defaultLayoutDepth is how deep below LayoutsDir defaultLayoutDir puts a
// layout: PACKAGE/BIN, two directories.
const defaultLayoutDepth = 2

// LayoutsDir is the directory holding the layouts builds write when the
// Request names none: TARGET_DIR/krust.
func LayoutsDir(targetDir string) string {
	return filepath.Join(targetDir, layoutsRel)
}

// DefaultLayouts lists the OCI layouts in LayoutsDir(targetDir): every
// layout a build of the project wrote there, in lexical order. It looks
// into the directories down to the depth where builds put layouts
// (PACKAGE/BIN), and never into a layout. A directory that does not exist
// holds none.
func DefaultLayouts(targetDir string) ([]string, error) {
	root := LayoutsDir(targetDir)
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == root {
			return fs.SkipAll
		}
		if err != nil || !d.IsDir() {
			return err
		}
		if info, err := os.Lstat(filepath.Join(path, "oci-layout")); err == nil && info.Mode().IsRegular() {
			dirs = append(dirs, path)
			return fs.SkipDir
		}
		if rel, _ := filepath.Rel(root, path); strings.Count(rel, string(filepath.Separator)) >= defaultLayoutDepth {
			return fs.SkipDir
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("look for OCI layouts under %s: %w", root, err)
	}
	return dirs, nil
}
