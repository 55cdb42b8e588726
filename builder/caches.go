package builder

import (
	"path/filepath"

	"github.com/docker-krust/docker-krust/internal/cachedir"
)

// Cache is a directory krust keeps as its own cache: nothing else a build
// writes may go there.
type Cache struct {
	// Dir is its absolute path; What names it in messages.
	Dir, What string
}

// Caches lists the caches the build reads and writes under cargo's
// target directory, each on its own (so a refusal names the one an
// output would be inside), then the directory that holds them all; none
// when the project has no target directory.
func (p *Plan) Caches() []Cache {
	proj := p.req.Project
	if proj == nil || proj.TargetDir == "" {
		return nil
	}
	at := func(rel string) string { return filepath.Join(proj.TargetDir, filepath.FromSlash(rel)) }
	return []Cache{
		{layerCacheDir(proj), "krust's layer cache"},
		{at(graphCacheRel), "krust's crate graph cache"},
		{at(toolchainCacheRel), "krust's toolchain cache"},
		{at(cachedir.Root), "krust's caches"},
	}
}
