package builder

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/docker-krust/docker-krust/cargo"
)

// remapFlags returns rustc flags that replace the build's machine-specific
// paths in the executable (panic messages, file!(), debug info) with fixed
// ones: cargo's home, and the sources (the workspace, or the stable view of
// it and its outside path dependencies). rustc applies the last matching
// remapping, so deeper paths come last.
func remapFlags(proj *cargo.Project, stable *stablePaths, cargoHome string) []string {
	remaps := map[string]string{}
	if cargoHome != "" {
		remaps[cargoHome] = "/krust/cargo"
	}
	if stable != nil {
		remaps[stable.stable] = "/krust/src"
	} else {
		remaps[proj.WorkspaceRoot] = "/krust/workspace"
	}
	from := make([]string, 0, len(remaps))
	for k := range remaps {
		from = append(from, k)
	}
	sort.Slice(from, func(i, j int) bool {
		if len(from[i]) != len(from[j]) {
			return len(from[i]) < len(from[j])
		}
		return from[i] < from[j]
	})
	flags := make([]string, 0, len(from))
	for _, f := range from {
		flags = append(flags, "--remap-path-prefix="+f+"="+remaps[f])
	}
	return flags
}

// within reports whether path is root or below it.
func within(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
