package builder

import (
	"context"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/problems"
	"github.com/docker-krust/docker-krust/internal/scrub"
	"github.com/docker-krust/docker-krust/oci"
)

// maxFilesProblems bounds the problems of the files setting reported at
// once: a tree of a thousand sockets needs one fix, not a thousand lines.
const maxFilesProblems = 20

// filesDirs are the directories the files setting's paths depend on:
// from is relative to pkg, or to workspace for the workspace's entries;
// target, cargo's target directory, is left out of every tree.
type filesDirs struct {
	pkg, workspace, target string
}

// filesLayer walks the trees the files setting names (see filesDirs) and
// returns the layer that puts them into the image, or nil for none.
// Everything that cannot go there is refused now, before cargo runs,
// every problem at once (see FilesError): what the walk refuses, two
// entries that put different things at one path, and anything at a
// binary's path /app/BIN (bins) or in place of the directory /app.
func filesLayer(ctx context.Context, specs []config.FileSpec, dirs filesDirs, bins []string) (*layerSource, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	merged := map[string]entrySource{}
	owner := map[string]*tree{}
	var errs []error
	for _, spec := range specs {
		dir := dirs.pkg
		if spec.Workspace {
			dir = dirs.workspace
		}
		t := walkFiles(ctx, spec, dir, dirs.target)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		errs = append(errs, t.errs...)
		for _, p := range slices.Sorted(maps.Keys(t.entries)) {
			e := t.entries[p]
			if prev, ok := merged[p]; ok && (prev.file.Type != oci.Directory || e.file.Type != oci.Directory) {
				t.refuse(e.host, "entry %s puts something else at /%s: give one of them another to", owner[p].spec, p)
				errs = append(errs, t.errs[len(t.errs)-1])
				continue
			}
			merged[p], owner[p] = e, t
		}
	}
	errs = append(errs, checkPlaces(merged, owner, bins)...)
	if len(errs) > maxFilesProblems {
		errs = append(errs[:maxFilesProblems], fmt.Errorf("and %d more problems of the files setting", len(errs)-maxFilesProblems))
	}
	if err := problems.Join(errs...); err != nil {
		return nil, err
	}
	return filesSource(specs, merged), nil
}

// checkPlaces refuses an entry below one that is not a directory, and
// anything that would replace a binary or the directory /app they are in.
func checkPlaces(merged map[string]entrySource, owner map[string]*tree, bins []string) []error {
	var errs []error
	refuse := func(p, reason string, args ...any) {
		t := owner[p]
		t.refuse(merged[p].host, reason, args...)
		errs = append(errs, t.errs[len(t.errs)-1])
	}
	for _, p := range slices.Sorted(maps.Keys(merged)) {
		if p == appDir && merged[p].file.Type != oci.Directory {
			refuse(p, "it would replace the directory /%s, which holds the image's binaries: give it another to", appDir)
			continue
		}
		for _, bin := range bins {
			if inImage := path.Join(appDir, bin); p == inImage || strings.HasPrefix(p, inImage+"/") {
				refuse(p, "it would replace the binary /%s: give it another to, e.g. under /srv", inImage)
			}
		}
		for _, dir := range parentPaths(p) {
			if above, ok := merged[dir]; ok && above.file.Type != oci.Directory {
				refuse(p, "/%s above it is not a directory (entry %s puts one there): give one of them another to", dir, owner[dir].spec)
				break
			}
		}
	}
	return errs
}

// filesSource is the layer of the files walked: its history entry and
// messages name each entry's from without a path of this machine.
func filesSource(specs []config.FileSpec, merged map[string]entrySource) *layerSource {
	var names []string
	for _, s := range specs {
		names = append(names, filesName(s)+" -> "+s.To)
	}
	src := &layerSource{
		name:      "files",
		createdBy: "krust build: files " + strings.Join(names, ", "),
		what:      "the files",
		from:      strings.Join(names, ", "),
	}
	for _, p := range slices.Sorted(maps.Keys(merged)) {
		src.entries = append(src.entries, merged[p])
	}
	return src
}

// filesName names an entry of files where what is written leaves the
// machine (the image's history, the provenance): its from as written
// when it is a path inside the project, else <local>/NAME
// (scrub.Path); a workspace entry's from is marked so ("workspace:").
func filesName(s config.FileSpec) string {
	name := scrub.Path(filepath.ToSlash(s.From))
	if s.Workspace {
		return "workspace:" + name
	}
	return name
}

// parentPaths lists the directories above the slash-separated path p.
func parentPaths(p string) []string {
	var dirs []string
	for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
		dirs = append(dirs, dir)
	}
	return dirs
}
