package config

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// FileSpec is one entry of the files setting: a file or a directory tree
// of the project, From, put into the image at To by a layer of its own
// beneath the executable's. The builder walks and checks the tree.
type FileSpec struct {
	// From is the host file or directory as its source writes it:
	// relative to the package's directory (the directory of its
	// Cargo.toml, for [package.metadata.krust] and the --file flag), or to
	// the workspace root's directory when Workspace is set.
	From string `toml:"from"`
	// To is where it goes in the image: an absolute, clean path; "/" puts
	// a directory's contents at the root.
	To string `toml:"to"`
	// Workspace says From is relative to the workspace root's directory:
	// it comes from [workspace.metadata.krust], as cargo reads the paths
	// a member inherits from [workspace.package] (readme, license-file).
	Workspace bool `toml:"-"`
}

// String writes the entry as a TOML inline table.
func (f FileSpec) String() string {
	return fmt.Sprintf("{ from = %q, to = %q }", f.From, f.To)
}

// fileRule says how an entry of files is written.
const fileRule = `write { from = "PATH", to = "/ABSOLUTE/PATH" }, e.g. { from = "static", to = "/srv/static" }`

// checkFiles checks the files setting that won the merge of layers: each
// entry names a file and an absolute, clean place in the image, and no
// two entries the same place. What the files are is the builder's to
// check, once it knows the package's directory.
func checkFiles(files []FileSpec, layers []Settings) []error {
	where := whereIs(layers, "files")
	var errs []error
	seen := map[string]bool{}
	for _, f := range files {
		var rule string
		switch {
		case f.From == "" || f.To == "":
			rule = "both from and to are needed: " + fileRule
		case strings.ContainsRune(f.From, 0) || strings.ContainsRune(f.To, 0):
			rule = "a path cannot hold NUL"
		case !path.IsAbs(f.To):
			rule = fmt.Sprintf("to is a path in the image and must be absolute: write %q", "/"+f.To)
		case hasDotDot(f.To):
			rule = `to cannot hold ".." (it would climb out of the directory it names): write the path it means`
		case path.Clean(f.To) != f.To:
			rule = fmt.Sprintf("write to as the clean path %q", path.Clean(f.To))
		case seen[f.To]:
			rule = "another entry puts files at the same place: merge them into one directory"
		}
		seen[f.To] = true
		if rule != "" {
			errs = append(errs, fmt.Errorf("%w files: %s (%s): %s", ErrInvalidSetting, f, where, rule))
		}
	}
	return errs
}

// hasDotDot reports whether the slash-separated path p has a ".."
// element.
func hasDotDot(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

// ErrFileSpec is wrapped by ParseFileSpec's error.
var ErrFileSpec = errors.New("want FROM:TO with TO absolute")

// ParseFileSpec reads an entry of files written FROM:TO (as the command
// line gives it): TO starts at
// the first ":/", so FROM may hold a ':' not followed by '/' and TO any
// ':'.
func ParseFileSpec(v string) (FileSpec, error) {
	from, to, ok := strings.Cut(v, ":/")
	if !ok || from == "" {
		return FileSpec{}, fmt.Errorf("%w, e.g. static:/srv/static (FROM relative to the package's directory)", ErrFileSpec)
	}
	return FileSpec{From: from, To: "/" + to}, nil
}
