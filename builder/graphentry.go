package builder

import (
	"fmt"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/scrub"
	"github.com/docker-krust/docker-krust/oci/sbom"
	digest "github.com/opencontainers/go-digest"
)

// graphEntry is a crate graph as the graph cache keeps it: a file in the
// project's target directory, which is copied, archived and uploaded
// along with the project. It holds no more than the documents made from
// it: a crate's ID (which names the directory of a path or file:// git
// crate) is kept as its digest, found again among the packages the build
// compiled; Cargo.lock by its digest alone; what Cargo.toml and cargo
// say of a crate scrubbed as the SBOM scrubs it (sbom.ScrubCrate), its
// source's URL as the SBOM writes it (scrub.URL). The SBOM scrubs the
// graph again, which changes nothing (scrub's idempotence tests), so
// documents from a cached graph are those from cargo's answer.
type graphEntry struct {
	Root     digest.Digest `json:"root"`
	Crates   []cargo.Crate `json:"crates"`
	Lockfile digest.Digest `json:"lockfile"`
}

// newGraphEntry returns g as the cache keeps it.
func newGraphEntry(g *cargo.Graph) graphEntry {
	e := graphEntry{Root: digest.FromString(g.Root), Lockfile: g.Lockfile.Digest, Crates: make([]cargo.Crate, len(g.Crates))}
	for i, c := range g.Crates {
		c = sbom.ScrubCrate(c)
		c.Source.URL = scrub.URL(c.Source.URL)
		c.ID = digest.FromString(c.ID).String()
		deps := make([]string, len(c.Dependencies))
		for j, d := range c.Dependencies {
			deps[j] = digest.FromString(d).String()
		}
		c.Dependencies = deps
		e.Crates[i] = c
	}
	return e
}

// graph returns the graph e keeps, its crates' IDs found again among
// the packages req compiled, and its Cargo.lock lock, which e must name.
func (e graphEntry) graph(req cargo.DepsRequest, lock cargo.Lockfile) (*cargo.Graph, error) {
	if e.Lockfile != lock.Digest {
		return nil, fmt.Errorf("it is for Cargo.lock %s, not %s", e.Lockfile, lock.Digest)
	}
	ids := make(map[string]string, len(req.Built))
	for _, b := range req.Built {
		ids[digest.FromString(b.ID).String()] = b.ID
	}
	id := func(d, what string) (string, error) {
		if v, ok := ids[d]; ok {
			return v, nil
		}
		return "", fmt.Errorf("%s %.80q is not a package the build compiled", what, d)
	}
	root, err := id(e.Root.String(), "its root")
	if err != nil {
		return nil, err
	}
	g := &cargo.Graph{Root: root, Lockfile: lock, Crates: make([]cargo.Crate, len(e.Crates))}
	for i, c := range e.Crates {
		if c.ID, err = id(c.ID, "its crate "+c.Name); err != nil {
			return nil, err
		}
		deps := make([]string, len(c.Dependencies))
		for j, d := range c.Dependencies {
			if deps[j], err = id(d, "a dependency of "+c.Name); err != nil {
				return nil, err
			}
		}
		c.Dependencies = deps
		g.Crates[i] = c
	}
	return g, nil
}
