package builder

import (
	"errors"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/oci"
)

// A tree's symbolic links go into the image only where they stay inside
// the tree wherever it is put: relative, and resolving, link by link as
// the kernel would inside the image, to an entry of the tree. An
// absolute link would name the image's file, not the project's; one that
// climbs out, or points at nothing the tree holds, would depend on what
// the base holds there.
var (
	errLinkAbsolute = errors.New("it is an absolute symbolic link, which would point at the image's file of that name, not the project's: make it relative (ln -sr), or copy the file into the tree")
	errLinkEscapes  = errors.New("it is a symbolic link that leads out of the tree: copy what it points to into the tree, or list that as an entry of files of its own")
	errLinkDangling = errors.New("it is a symbolic link to nothing the tree holds: remove it, or add what it points to")
	errLinkLoop     = errors.New("it is a symbolic link that goes through too many links (a loop?): point it at its file directly")
)

// checkLinks refuses, each with its reason, the links of t that do not
// resolve inside it.
func (t *tree) checkLinks() {
	byRel := make(map[string]oci.File, len(t.entries))
	for _, e := range t.entries {
		byRel[filepath.ToSlash(e.host)] = e.file
	}
	var links []string
	for rel, f := range byRel {
		if f.Type == oci.Symlink {
			links = append(links, rel)
		}
	}
	slices.Sort(links)
	for _, rel := range links {
		if err := resolveInTree(byRel, rel); err != nil {
			t.refuse(filepath.FromSlash(rel), "%v", err)
		}
	}
}

// resolveInTree resolves the link at rel of the tree whose entries are
// byRel (by their slash-separated path in the tree; "" is its root, a
// directory), and returns why it does not resolve inside it.
func resolveInTree(byRel map[string]oci.File, rel string) error {
	var at []string // the directory reached, from the root
	if dir := path.Dir(rel); dir != "." {
		at = strings.Split(dir, "/")
	}
	todo := []string{path.Base(rel)}
	for hops := 0; len(todo) > 0; {
		name := todo[0]
		todo = todo[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			if len(at) == 0 {
				return errLinkEscapes
			}
			at = at[:len(at)-1]
			continue
		}
		f, ok := byRel[strings.Join(append(slices.Clip(at), name), "/")]
		switch {
		case !ok:
			return errLinkDangling
		case f.Type == oci.Symlink:
			if hops++; hops > maxLinkHops {
				return errLinkLoop
			}
			if path.IsAbs(f.Link) {
				return errLinkAbsolute
			}
			todo = append(strings.Split(f.Link, "/"), todo...)
		case f.Type == oci.Directory:
			at = append(at, name)
		case len(todo) > 0:
			return errLinkDangling // a file used as a directory
		default:
			at = append(at, name)
		}
	}
	return nil
}
