package builder

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/docker-krust/docker-krust/cargo"
	digest "github.com/opencontainers/go-digest"
)

// graphKey is everything that decides a crate graph: the whole request
// (its JSON: the package, binaries, target, arguments and what the build
// compiled, whatever fields it gains), the inputs cargo reads to answer
// it (cargo.GraphInputs: Cargo.lock, the manifests, cargo's config, the
// environment) and the toolchain that answers.
type graphKey struct {
	Version   int           `json:"version"`
	Request   digest.Digest `json:"request"`
	Inputs    digest.Digest `json:"inputs"`
	Toolchain digest.Digest `json:"toolchain"`
}

// graph returns the crate graph cargo.Graph gives for req, from the graph
// cache when its entry checks out: a no-op rebuild then runs neither
// `cargo tree` nor `cargo metadata`. A miss asks cargo and caches the
// answer.
func (p *Plan) graph(ctx context.Context, req cargo.DepsRequest) (*cargo.Graph, error) {
	ask := func() (*cargo.Graph, error) { return p.b.Cargo.Graph(ctx, req) }
	withInputs, ok := p.b.Cargo.(answerInputs)
	if !ok || p.req.Project == nil {
		return ask()
	}
	key, lock, err := p.graphKey(ctx, withInputs, req)
	if err != nil {
		logf(p.b.Log, "warning: the crate graph is not cached: %v\n", err)
		return ask()
	}
	c := p.answerCache(graphCacheRel, "crate graph", graphCacheMaxEntries)
	var (
		e graphEntry
		g *cargo.Graph
	)
	check := func() (err error) {
		if g, err = e.graph(req, lock); err != nil {
			return err
		}
		return checkGraph(g, req, lock)
	}
	if c.get(key, &e, check) {
		return g, nil
	}
	got, err := ask()
	if err == nil && got.Lockfile == lock {
		// Only a graph of the Cargo.lock hashed for the key is cached: one
		// changed meanwhile is cached by the next build.
		p.answers.later(c, key, newGraphEntry(got))
	}
	return got, err
}

// graphKey computes req's key, and the Cargo.lock it hashed.
func (p *Plan) graphKey(ctx context.Context, withInputs answerInputs, req cargo.DepsRequest) (graphKey, cargo.Lockfile, error) {
	tc, err := p.toolchain(ctx)
	if err != nil {
		return graphKey{}, cargo.Lockfile{}, err
	}
	reqData, err := json.Marshal(keyRequest(req))
	if err != nil {
		return graphKey{}, cargo.Lockfile{}, err
	}
	tcData, err := json.Marshal(tc)
	if err != nil {
		return graphKey{}, cargo.Lockfile{}, err
	}
	print, err := fingerprint(withInputs.GraphInputs(req, p.req.Project))
	if err != nil {
		return graphKey{}, cargo.Lockfile{}, err
	}
	lockPath := filepath.Join(p.req.Project.WorkspaceRoot, cargo.LockfileName)
	lock := cargo.Lockfile{Path: lockPath, Digest: print.files[lockPath]}
	if lock.Digest == "" {
		return graphKey{}, cargo.Lockfile{}, fmt.Errorf("%s does not exist", lockPath)
	}
	return graphKey{
		Version: answerCacheVersion, Request: digest.FromBytes(reqData), Inputs: print.digest, Toolchain: digest.FromBytes(tcData),
	}, lock, nil
}

// keyRequest is req as its key takes it: the packages the build compiled
// sorted, since cargo reports them in the order its jobs end, which
// varies from build to build, and Graph looks them up by ID.
func keyRequest(req cargo.DepsRequest) cargo.DepsRequest {
	req.Built = slices.Clone(req.Built)
	slices.SortFunc(req.Built, func(a, b cargo.BuiltPackage) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.ManifestPath, b.ManifestPath))
	})
	return req
}

// checkGraph checks what a cached graph says against what krust knows of
// this build: it names the Cargo.lock just hashed, its root is a crate of
// it, and every crate is a package the build compiled, depending only on
// crates of the graph.
func checkGraph(g *cargo.Graph, req cargo.DepsRequest, lock cargo.Lockfile) error {
	if g.Lockfile != lock {
		return fmt.Errorf("it is for %s %s, not %s %s", g.Lockfile.Path, g.Lockfile.Digest, lock.Path, lock.Digest)
	}
	built := map[string]bool{}
	for _, b := range req.Built {
		built[b.ID] = true
	}
	in := map[string]bool{}
	for _, c := range g.Crates {
		if !built[c.ID] {
			return fmt.Errorf("it lists %q, which the build did not compile", c.ID)
		}
		in[c.ID] = true
	}
	if !in[g.Root] {
		return fmt.Errorf("its root %q is not one of its crates", g.Root)
	}
	for _, c := range g.Crates {
		if i := slices.IndexFunc(c.Dependencies, func(d string) bool { return !in[d] }); i >= 0 {
			return fmt.Errorf("%s depends on %q, which is not one of its crates", c.ID, c.Dependencies[i])
		}
	}
	return nil
}
