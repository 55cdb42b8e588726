package outpath

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// maxLinks is how many symbolic links one path may go through, as Linux
// allows (ELOOP beyond).
const maxLinks = 40

// resolve returns the absolute path that path names, with every symbolic
// link and ".." resolved in the order the kernel does (a ".." after a
// link goes up from the link's target, not from the link), also when its
// last components do not exist: they are kept as they are. A ".." after a
// missing component is an error, as the kernel would give.
func resolve(path string) (string, error) {
	if !filepath.IsAbs(path) {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		path = wd + string(filepath.Separator) + path
	}
	done, todo := string(filepath.Separator), components(path)
	links, missing := 0, false
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch {
		case c == "." || c == "":
			continue
		case c == ".." && missing:
			return "", &fs.PathError{Op: "resolve", Path: Show(done), Err: syscall.ENOENT}
		case c == "..":
			done = filepath.Dir(done)
			continue
		}
		next := filepath.Join(done, c)
		if missing {
			done = next
			continue
		}
		info, err := os.Lstat(next)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			missing, done = true, next
			continue
		case err != nil:
			return "", err
		case info.Mode()&fs.ModeSymlink != 0:
			if links++; links > maxLinks {
				return "", &fs.PathError{Op: "resolve", Path: Show(path), Err: syscall.ELOOP}
			}
			target, err := os.Readlink(next)
			if err != nil {
				return "", err
			}
			if filepath.IsAbs(target) {
				done = string(filepath.Separator)
			}
			todo = append(components(target), todo...)
			continue
		case !info.IsDir() && more(todo):
			return "", &fs.PathError{Op: "resolve", Path: Show(next), Err: syscall.ENOTDIR}
		}
		done = next
	}
	return done, nil
}

// components splits a path at its separators.
func components(path string) []string {
	return strings.Split(filepath.ToSlash(path), "/")
}

// more reports whether todo still names a component (not only "" or ".").
func more(todo []string) bool {
	for _, c := range todo {
		if c != "" && c != "." {
			return true
		}
	}
	return false
}

// inside reports whether path is dir or below it; both are clean and
// absolute.
func inside(path, dir string) bool {
	if path == dir {
		return true
	}
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(path, dir)
}

// enclosingLayout returns the nearest directory holding an oci-layout
// file among path and its parents (from path's parent on, when self is
// false), or "" when there is none. A directory named oci-layout (a
// layout a user named so) does not make its parent a layout.
func enclosingLayout(path string, self bool) string {
	d := path
	if !self {
		d = filepath.Dir(path)
	}
	for {
		if info, err := os.Lstat(filepath.Join(d, "oci-layout")); err == nil && !info.IsDir() {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}
