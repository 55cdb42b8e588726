package builder

import (
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/docker-krust/docker-krust/internal/cachedir"
)

// openDir opens the cache directory as an os.Root, for reading (create
// false) or for writing entries (create true: the directories are made as
// needed), never following a link on the way from cargo's target
// directory nor out of it (cachedir.Open). A cache directory that does
// not exist yet gives nil when reading. One that is refused gives nil
// too, and the build goes on without the cache: a warning (once per
// build) says why and how to fix it. The cache only saves time, and
// deleting it is always safe, so it never fails a build.
func (c *layerCache) openDir(create bool) *os.Root {
	dir, err := cachedir.Open(c.target, layerCacheRel, create, "cache layers")
	if err != nil {
		if create || !errors.Is(err, fs.ErrNotExist) {
			c.refuse(err)
		}
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

// layerCacheMaxEntries bounds the cache: each build of a changed
// executable adds an entry (about 600 bytes), so save removes the least
// recently written beyond this many. A removed entry costs one
// compression.
const layerCacheMaxEntries = 256

// prune removes, from the cache directory dir, the entries beyond
// layerCacheMaxEntries (oldest first) and stale temp files
// (cachedir.Prune).
func prune(dir *os.Root, now time.Time) {
	cachedir.Prune(dir, now, layerCacheMaxEntries)
}
