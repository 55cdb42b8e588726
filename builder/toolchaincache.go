package builder

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/cachedir"
	digest "github.com/opencontainers/go-digest"
)

// answerInputs is what a Cargo offers for caching its answers;
// *cargo.Cargo implements it. A Cargo without it is asked every time.
type answerInputs interface {
	GraphInputs(req cargo.DepsRequest, proj *cargo.Project) cargo.Inputs
	ToolchainInputs(dir string) (cargo.Inputs, error)
}

const (
	// answerCacheVersion is bumped when what an entry of the graph or
	// toolchain cache means changes.
	answerCacheVersion = 1
	// toolchainCacheRel and graphCacheRel are where the caches live
	// under cargo's target directory.
	toolchainCacheRel = cachedir.Root + "/toolchain"
	graphCacheRel     = cachedir.Root + "/graphs"
	// toolchainCacheMaxEntries and graphCacheMaxEntries bound them: an
	// entry is written for each new toolchain, or each change of what
	// decides a graph (Cargo.lock, a manifest, the arguments, the target).
	toolchainCacheMaxEntries = 16
	graphCacheMaxEntries     = 64
)

// toolchainKey is what decides the toolchain: the project's directory
// and the digest of cargo.ToolchainInputs.
type toolchainKey struct {
	Version int           `json:"version"`
	Inputs  digest.Digest `json:"inputs"`
}

// toolchainMemo asks for the toolchain once per build.
type toolchainMemo struct {
	once sync.Once
	tc   cargo.Toolchain
	err  error
}

// toolchain returns the Rust toolchain that builds the project, once per
// plan, from the toolchain cache when its entry checks out: asking
// `rustc -vV` and `cargo --version` costs a no-op rebuild tens of
// milliseconds.
func (p *Plan) toolchain(ctx context.Context) (cargo.Toolchain, error) {
	m := &p.toolchainMemo
	m.once.Do(func() { m.tc, m.err = p.cachedToolchain(ctx) })
	return m.tc, m.err
}

func (p *Plan) cachedToolchain(ctx context.Context) (cargo.Toolchain, error) {
	ask := func() (cargo.Toolchain, error) { return p.b.Cargo.Toolchain(ctx, p.req.Dir) }
	withInputs, ok := p.b.Cargo.(answerInputs)
	if !ok {
		return ask()
	}
	in, err := withInputs.ToolchainInputs(p.req.Dir)
	if err != nil {
		return ask() // it says so itself
	}
	print, err := fingerprint(in, "dir", p.req.Dir)
	if err != nil {
		return ask()
	}
	c := p.answerCache(toolchainCacheRel, "toolchain", toolchainCacheMaxEntries)
	key := toolchainKey{Version: answerCacheVersion, Inputs: print.digest}
	var tc cargo.Toolchain
	if c.get(key, &tc, func() error { return checkToolchain(tc) }) {
		return tc, nil
	}
	if tc, err = ask(); err == nil {
		p.answers.later(c, key, tc)
	}
	return tc, err
}

// checkToolchain checks what a cached toolchain says has the shape of
// what Toolchain returns.
func checkToolchain(tc cargo.Toolchain) error {
	if !strings.HasPrefix(tc.Rustc, "rustc ") || !strings.HasPrefix(tc.Cargo, "cargo ") || tc.Host == "" ||
		strings.ContainsAny(tc.Rustc+tc.Cargo+tc.Host, "\n\r") {
		return errors.New("it names no rustc, cargo and host")
	}
	return nil
}

// answerCache is the cache of one kind of cargo's answers for the plan.
func (p *Plan) answerCache(rel, what string, max int) answerCache {
	c := answerCache{rel: rel, what: what, max: max, log: p.b.Log}
	if p.req.Project != nil {
		c.target = p.req.Project.TargetDir
	}
	return c
}
