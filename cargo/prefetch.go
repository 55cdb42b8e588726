package cargo

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"sync"
)

// PrefetchGraphs starts asking cargo, while the build runs, what Graph
// will ask of each of reqs once it is done (cargo tree and cargo metadata
// --no-deps: their Built is not needed yet), so that those processes
// cost the build's spare cores rather than time after it. The answers
// are only kept, in c.Memo, by settle, called once the build is done:
// when cargo's answer could not have changed meanwhile, that is when the
// workspace's Cargo.lock (lockfile) is the same file, byte for byte, as
// before, and for the answers that succeeded. Anything else is asked
// again after the build, as without a prefetch.
//
// Its questions run in the background (InBackground). A prefetch never
// changes what the build sees: it runs cargo with
// --frozen, so it neither writes Cargo.lock nor touches the network (a
// crate the build is still downloading makes it fail, and it is asked
// again), and its messages are not shown. Without c.Memo, or a
// Cargo.lock to compare, there is nothing to keep and nothing is started.
func (c Cargo) PrefetchGraphs(ctx context.Context, reqs []DepsRequest, lockfile string) (settle func()) {
	before, _, err := readLockfile(lockfile)
	if c.Memo == nil || err != nil || len(reqs) == 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(InBackground(ctx))
	pre := c
	pre.Memo, pre.frozen = &Memo{}, true
	var wg sync.WaitGroup
	for _, req := range reqs {
		wg.Go(func() { _, _ = pre.askCargo(ctx, req, req.manifest()) })
	}
	return func() {
		after, _, err := readLockfile(lockfile)
		if err != nil || after != before {
			cancel()
		}
		wg.Wait()
		if ctx.Err() == nil {
			c.Memo.adopt(pre.Memo)
		}
		cancel()
	}
}

// frozenArgs are args as a prefetch runs them: with --frozen, unless the
// user's arguments say it already.
func frozenArgs(args []string) []string {
	if slices.Contains(args, "--frozen") {
		return args
	}
	return append(slices.Clip(args), "--frozen")
}

// adopt takes from other the answers that succeeded, where m has none.
// other's calls must all be done.
func (m *Memo) adopt(other *Memo) {
	other.mu.Lock()
	calls := maps.Clone(other.calls)
	other.mu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.calls == nil {
		m.calls = map[string]*memoCall{}
	}
	for k, c := range calls {
		if _, ok := m.calls[k]; !ok && c.err == nil {
			m.calls[k] = c
		}
	}
}

// compilingWatch calls f, once, when cargo's messages first say
// "Compiling" (cargo writes the word and the crate separately).
type compilingWatch struct {
	f    func()
	done bool
}

func (w *compilingWatch) Write(p []byte) (int, error) {
	if !w.done && w.f != nil && bytes.Contains(p, []byte("Compiling")) {
		w.done = true
		go w.f()
	}
	return len(p), nil
}

// backgroundKey marks a context whose questions are background work.
type backgroundKey struct{}

// InBackground returns ctx marked so that the questions asked of cargo
// and rustc with it (cargo tree, cargo metadata, rustc -vV, never a
// build) run at the lowest CPU priority: a prefetch then takes only the
// time a build leaves idle, and never slows the build it runs beside.
func InBackground(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

// inBackground reports whether ctx was marked by InBackground.
func inBackground(ctx context.Context) bool {
	v, _ := ctx.Value(backgroundKey{}).(bool)
	return v
}
