package builder

import (
	"context"
	"path/filepath"
	"sync"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/cargo"
)

// graphPrefetcher is a Cargo that can ask, while it builds, what Graph
// will ask afterwards (cargo.Cargo.PrefetchGraphs).
type graphPrefetcher interface {
	PrefetchGraphs(ctx context.Context, reqs []cargo.DepsRequest, lockfile string) (settle func())
}

// prefetch asks, while cargo builds a group, what the documents will ask
// of cargo and rustc afterwards and that the build does not change: the
// toolchain and, for binaries compiled afresh (a no-op rebuild finds its
// graph in the graph cache), the crate graph's questions. A build leaves
// a core idle for much of its time (one crate compiling, the linker);
// asked after it, these are a few hundred milliseconds on the critical
// path. start begins once cargo compiles (cargo.BuildRequest.Compiling):
// begun with cargo, they slowed cargo's own start as much as they saved.
// They run at the lowest priority (cargo.InBackground): at cargo's, they
// took cores from rustc and made the build itself slower (a workspace of
// three members in make bench: cargo's part 0.44 s against 0.41 s
// without documents; 0.42 s at the lowest).
type prefetch struct {
	ctx context.Context
	g   []*started

	mu       sync.Mutex
	begun    bool
	settled  bool
	wg       sync.WaitGroup
	settleFn func()
}

// start begins the prefetch, once, unless the build is over.
func (f *prefetch) start() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.begun || f.settled {
		return
	}
	f.begun = true
	ctx := cargo.InBackground(f.ctx)
	var reqs []cargo.DepsRequest
	together := packageNames(f.g)
	for _, s := range f.g {
		if !s.p.wantsDocuments() {
			continue
		}
		f.wg.Go(func() { _, _ = s.p.toolchain(ctx) })
		if _, ok := s.p.wants(attest.SBOM); !ok {
			continue
		}
		for _, t := range s.targets {
			if !s.p.builtBefore(t.triple) {
				reqs = append(reqs, s.p.depsRequest(t, together, nil))
			}
		}
	}
	first := f.g[0].p
	if pf, ok := first.b.Cargo.(graphPrefetcher); ok && len(reqs) > 0 {
		f.settleFn = pf.PrefetchGraphs(ctx, reqs, filepath.Join(first.req.Project.WorkspaceRoot, cargo.LockfileName))
	}
}

// settle ends the prefetch once cargo is done: it waits for what was
// begun and keeps the graph's answers only if they still hold (see
// cargo.Cargo.PrefetchGraphs).
func (f *prefetch) settle() {
	f.mu.Lock()
	f.settled = true
	settle := f.settleFn
	f.mu.Unlock()
	if settle != nil {
		settle()
	}
	f.wg.Wait()
}

// depsRequest is what the crate graph of p's binary for t is asked with:
// together are the packages cargo built with p's, built the packages it
// compiled for t.
func (p *Plan) depsRequest(t target, together []string, built []cargo.BuiltPackage) cargo.DepsRequest {
	return cargo.DepsRequest{
		Dir: p.req.Dir, Package: p.Package.Name, Bin: p.Entrypoint, Triple: t.triple, Args: p.req.CargoArgs,
		Built: built, Packages: several(together),
	}
}
