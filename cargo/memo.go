package cargo

import (
	"strings"
	"sync"
)

// Memo lets the commands that only ask cargo and rustc (cargo tree, cargo
// metadata, rustc -vV and --print sysroot, cargo --version) run once for
// one question: the
// images of a build of several packages ask the same (cargo tree of all
// the packages built together, the workspace's members, the toolchain),
// and each is a process of tens of milliseconds. Share one Memo for one
// build only: the answers are those of that moment. What cargo answers
// about the crates is asked after cargo built, or kept from before only
// when nothing it depends on changed (PrefetchGraphs).
// The zero value is ready; a nil *Memo runs every command.
type Memo struct {
	mu    sync.Mutex
	calls map[string]*memoCall
}

type memoCall struct {
	done chan struct{}
	out  []byte
	err  error
}

// do returns the answer of the first call with the same key, waiting for
// it while it runs, or runs f.
func (m *Memo) do(key []string, f func() ([]byte, error)) ([]byte, error) {
	if m == nil {
		return f()
	}
	c, first := m.claim(key)
	if first {
		c.run(f)
	}
	<-c.done
	return c.out, c.err
}

// start runs f in the background as the call for key, unless one is
// there already; a do with the same key then waits for its answer. The
// call is in the Memo once start returns.
func (m *Memo) start(key []string, f func() ([]byte, error)) {
	if m == nil {
		return
	}
	if c, first := m.claim(key); first {
		go c.run(f)
	}
}

// claim returns the call for key, and whether it is new (the caller's to
// run).
func (m *Memo) claim(key []string) (*memoCall, bool) {
	k := strings.Join(key, "\x00")
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.calls == nil {
		m.calls = map[string]*memoCall{}
	}
	if c, ok := m.calls[k]; ok {
		return c, false
	}
	c := &memoCall{done: make(chan struct{})}
	m.calls[k] = c
	return c, true
}

func (c *memoCall) run(f func() ([]byte, error)) {
	c.out, c.err = f()
	close(c.done)
}
