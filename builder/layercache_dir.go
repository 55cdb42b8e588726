package builder

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

// openDir opens the cache directory as an os.Root, for reading (create
// false) or for writing entries (create true: the directories are made as
// needed). It is reached from cargo's target directory (which the user
// names, and may be a link) one directory at a time, each of which must
// be a directory and not a symbolic link: a link there (say
// target/krust/.cache/layers -> /etc) is never followed, for reading or
// writing, and everything below is reached through the returned root,
// which follows no link out of the cache directory. A cache directory that
// does not exist yet gives nil when reading. One that is refused gives nil
// too, and the build goes on without the cache: a warning (once per
// build) says why and how to fix it. The cache only saves time, and
// deleting it is always safe, so it never fails a build.
func (c *layerCache) openDir(create bool) *os.Root {
	target, err := os.OpenRoot(c.target)
	if err != nil {
		if create || !errors.Is(err, fs.ErrNotExist) {
			c.refuse(err)
		}
		return nil
	}
	defer target.Close()
	rel := ""
	for _, part := range strings.Split(layerCacheRel, "/") {
		rel = filepath.Join(rel, part)
		info, err := target.Lstat(rel)
		if errors.Is(err, fs.ErrNotExist) && create {
			if err = target.Mkdir(rel, 0o755); err == nil || errors.Is(err, fs.ErrExist) {
				info, err = target.Lstat(rel)
			}
		}
		switch {
		case errors.Is(err, fs.ErrNotExist) && !create:
			return nil
		case err != nil:
			c.refuse(err)
			return nil
		case info.Mode()&fs.ModeSymlink != 0:
			link, _ := target.Readlink(rel)
			c.refuse(fmt.Errorf("%s is a symbolic link (to %s), which krust does not follow for its cache; remove the link to cache layers again",
				filepath.Join(c.target, rel), link))
			return nil
		case !info.IsDir():
			c.refuse(fmt.Errorf("%s is %s, not a directory; remove it to cache layers again", filepath.Join(c.target, rel), regular.Describe(info.Mode())))
			return nil
		}
	}
	dir, err := target.OpenRoot(rel)
	if err != nil {
		c.refuse(err)
		return nil
	}
	return dir
}

// refuse says, once per build, why the cache directory is not used.
func (c *layerCache) refuse(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refused {
		return
	}
	c.refused = true
	logf(c.log, "warning: the layer cache is not used: %v; this build compresses its layers without it\n", err)
}

const (
	// layerCacheMaxEntries bounds the cache: each build of a changed
	// executable adds an entry (about 600 bytes), so save removes the
	// least recently written beyond this many. A removed entry costs one
	// compression.
	layerCacheMaxEntries = 256
	// staleTempAge is how old a temp file of the cache must be before it
	// is taken for the leftover of a build that died while writing.
	staleTempAge = time.Hour
)

// prune removes, from the cache directory dir, the entries beyond
// layerCacheMaxEntries (oldest first) and temp files older than
// staleTempAge. Only regular files are removed, through dir, so nothing
// else and nothing outside is ever touched; errors are ignored (the next
// save tries again).
func prune(dir *os.Root, now time.Time) {
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
			if now.Sub(info.ModTime()) > staleTempAge {
				_ = dir.Remove(name)
			}
		case strings.HasSuffix(name, ".json"):
			entries = append(entries, info)
		}
	}
	if len(entries) <= layerCacheMaxEntries {
		return
	}
	slices.SortFunc(entries, func(a, b fs.FileInfo) int { return a.ModTime().Compare(b.ModTime()) })
	for _, info := range entries[:len(entries)-layerCacheMaxEntries] {
		_ = dir.Remove(info.Name())
	}
}
