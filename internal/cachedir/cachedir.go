// Package cachedir keeps krust's caches under cargo's target directory
// (TARGET/krust/.cache/NAME): it opens a cache directory without ever
// following a link out of the tree, reads entries bounded and only when
// they are regular files, replaces them atomically and keeps their number
// bounded. What an entry says is its cache's business; everything written
// here can be deleted at any time and costs only the work it saved.
package cachedir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/docker-krust/docker-krust/internal/atomicfile"
	"github.com/docker-krust/docker-krust/internal/regular"
)

// Root is where, under cargo's target directory, krust keeps its caches:
// beside the default layouts, under a name no package can have (cargo
// package names cannot start with a dot).
const Root = "krust/.cache"

// StaleTempAge is how old a temp file of a cache must be before it is
// taken for the leftover of a build that died while writing.
const StaleTempAge = time.Hour

// Open opens the cache directory rel (slash-separated, below tree) as an
// os.Root, for reading (create false) or for writing entries (create
// true: the directories are made as needed). It is reached from tree
// (cargo's target directory, which the user names and may be a link) one
// directory at a time, each of which must be a directory and not a
// symbolic link: a link there (target/krust/.cache -> /etc) is never
// followed, for reading or writing, and everything below is reached
// through the returned root, which follows no link out of it. A cache
// directory that does not exist yet, when reading, is an error wrapping
// fs.ErrNotExist. purpose ends the advice of a refusal ("cache layers":
// "remove it to cache layers again").
func Open(tree, rel string, create bool, purpose string) (*os.Root, error) {
	top, err := os.OpenRoot(tree)
	if err != nil {
		return nil, err
	}
	defer top.Close()
	path := ""
	for _, part := range strings.Split(rel, "/") {
		path = filepath.Join(path, part)
		info, err := top.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) && create {
			if err = top.Mkdir(path, 0o755); err == nil || errors.Is(err, fs.ErrExist) {
				info, err = top.Lstat(path)
			}
		}
		switch {
		case err != nil:
			return nil, err
		case info.Mode()&fs.ModeSymlink != 0:
			link, _ := top.Readlink(path)
			return nil, fmt.Errorf("%s is a symbolic link (to %s), which krust does not follow for its cache; remove the link to %s again",
				filepath.Join(tree, path), link, purpose)
		case !info.IsDir():
			return nil, fmt.Errorf("%s is %s, not a directory; remove it to %s again", filepath.Join(tree, path), regular.Describe(info.Mode()), purpose)
		}
	}
	return top.OpenRoot(path)
}

// Read reads the entry name of the cache directory dir, at most limit
// bytes, refusing anything but a regular file inside dir (a FIFO is
// refused at once, a link out of dir is named). A missing entry is an
// error wrapping fs.ErrNotExist.
func Read(dir *os.Root, name string, limit int64) ([]byte, error) {
	data, err := regular.ReadFileIn(dir, name, limit)
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, regular.ErrNotRegular) {
		if info, lerr := dir.Lstat(name); lerr == nil && info.Mode()&fs.ModeSymlink != 0 {
			target, _ := dir.Readlink(name)
			return nil, fmt.Errorf("it is a symbolic link to %s, and krust reads nothing of its cache out of the cache directory", target)
		}
	}
	return data, err
}

// Write replaces the entry name of dir with data atomically, never
// following a link.
func Write(dir *os.Root, name string, data []byte) error {
	return atomicfile.WriteFileIn(dir, name, data, 0o644)
}

// Prune removes, from the cache directory dir, the .json entries beyond
// max (least recently written first) and temp files older than
// StaleTempAge. Only regular files are removed, through dir, so nothing
// else and nothing outside is ever touched; errors are ignored (the next
// prune tries again).
func Prune(dir *os.Root, now time.Time, max int) {
	d, err := dir.Open(".")
	if err != nil {
		return
	}
	names, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return
	}
	var entries []fs.FileInfo
	for _, de := range names {
		info, err := de.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		switch name := info.Name(); {
		case strings.HasPrefix(name, atomicfile.TempPrefix):
			if now.Sub(info.ModTime()) > StaleTempAge {
				_ = dir.Remove(name)
			}
		case strings.HasSuffix(name, ".json"):
			entries = append(entries, info)
		}
	}
	if len(entries) <= max {
		return
	}
	slices.SortFunc(entries, func(a, b fs.FileInfo) int { return a.ModTime().Compare(b.ModTime()) })
	for _, info := range entries[:len(entries)-max] {
		_ = dir.Remove(info.Name())
	}
}
