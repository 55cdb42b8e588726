package builder

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
)

// cachingFake is fakeCargo with the inputs a real cargo.Cargo lists for
// the caches of its answers (files of a real project directory, a real
// program as RUSTC, the environment), counting how often the graph and
// the toolchain are asked of it. Its toolchain names the first line of
// RUSTC's file, so a new rustc is a new toolchain.
type cachingFake struct {
	*fakeCargo
	real       cargo.Cargo
	rustc      string
	graphs     atomic.Int64
	toolchains atomic.Int64
	mu         sync.Mutex // one Build at a time: fakeCargo counts them
}

func (c *cachingFake) GraphInputs(req cargo.DepsRequest, proj *cargo.Project) cargo.Inputs {
	return c.real.GraphInputs(req, proj)
}

func (c *cachingFake) ToolchainInputs(dir string) (cargo.Inputs, error) {
	return c.real.ToolchainInputs(dir)
}

func (c *cachingFake) Build(ctx context.Context, req cargo.BuildRequest) ([]cargo.Artifact, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fakeCargo.Build(ctx, req)
}

// Graph links the build's one package, and names the Cargo.lock as it is.
func (c *cachingFake) Graph(_ context.Context, req cargo.DepsRequest) (*cargo.Graph, error) {
	c.graphs.Add(1)
	lock, err := cargo.ReadLockfile(c.project.WorkspaceRoot)
	if err != nil {
		return nil, err
	}
	id := req.Built[0].ID
	return &cargo.Graph{Root: id, Lockfile: lock, Crates: []cargo.Crate{{ID: id, Name: req.Package, Version: "1.2.3", License: "MIT",
		Source: cargo.Source{Kind: cargo.SourcePath, Path: "."}}}}, nil
}

func (c *cachingFake) Toolchain(context.Context, string) (cargo.Toolchain, error) {
	c.toolchains.Add(1)
	data, err := os.ReadFile(c.rustc)
	if err != nil {
		return cargo.Toolchain{}, err
	}
	line, _, _ := strings.Cut(strings.TrimPrefix(string(data), "#!/bin/sh\n"), "\n")
	return cargo.Toolchain{Rustc: "rustc " + line, Cargo: "cargo " + line, Host: "x86_64-unknown-linux-gnu"}, nil
}

// newCachingFake is newFake's project with a Cargo.toml, a rustc program
// of its own as RUSTC, and a log safe for concurrent builds.
func newCachingFake(t *testing.T) (*cachingFake, testBuild, *syncLog) {
	t.Helper()
	f, opts := newFake(t)
	rustc := filepath.Join(t.TempDir(), "rustc")
	writeFile(t, rustc, "#!/bin/sh\n1.95.0 (fake)\n", 0o755)
	writeFile(t, filepath.Join(opts.Dir, "Cargo.toml"), "[package]\nname = \"svc\"\nversion = \"1.2.3\"\n", 0o644)
	c := &cachingFake{fakeCargo: f, rustc: rustc, real: cargo.Cargo{Env: []string{"RUSTC=" + rustc, "HOME=" + t.TempDir()}}}
	log := &syncLog{}
	opts.Log = log
	return c, opts, log
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// syncLog is a build log that concurrent builds may share.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// take returns what was logged since the last take.
func (l *syncLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	l.buf.Reset()
	return s
}

// build runs one build of c and returns how many times it asked for the
// graph and the toolchain, and what it logged.
func (c *cachingFake) build(t *testing.T, opts testBuild, log *syncLog) (graphs, toolchains int64, logged string) {
	t.Helper()
	g0, t0 := c.graphs.Load(), c.toolchains.Load()
	c.run(t, opts)
	return c.graphs.Load() - g0, c.toolchains.Load() - t0, log.take()
}

// graphEntries lists the graph cache's entries of c's project.
func (c *cachingFake) graphEntries(t *testing.T) []string {
	t.Helper()
	entries, err := filepath.Glob(filepath.Join(c.project.TargetDir, filepath.FromSlash(graphCacheRel), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// run runs a build of c, failing the test if it fails or does not end
// within a minute (a FIFO in a cache must not block it).
func (c *cachingFake) run(t *testing.T, opts testBuild) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := Run(ctx, c, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
