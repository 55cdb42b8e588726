package builder

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// A rebuild with nothing changed asks cargo neither for the graph nor
// for the toolchain, and attaches the same documents.
func TestGraphCacheHitAsksCargoNothing(t *testing.T) {
	c, opts, log := newCachingFake(t)
	first := c.run(t, opts)
	if c.graphs.Load() != 1 || c.toolchains.Load() != 1 {
		t.Fatalf("first build asked for %d graphs and %d toolchains, want 1 and 1", c.graphs.Load(), c.toolchains.Load())
	}
	log.take()
	second := c.run(t, opts)
	if c.graphs.Load() != 1 || c.toolchains.Load() != 1 {
		t.Errorf("a no-op rebuild asked cargo again: %d graphs and %d toolchains in all", c.graphs.Load(), c.toolchains.Load())
	}
	if logged := log.take(); strings.Contains(logged, "warning") {
		t.Errorf("a hit warned:\n%s", logged)
	}
	if len(first.Referrers) != 2 || len(second.Referrers) != 2 {
		t.Fatalf("referrers %v and %v, want an SBOM and a provenance each", first.Referrers, second.Referrers)
	}
	for i := range first.Referrers {
		if first.Referrers[i].Document.Digest != second.Referrers[i].Document.Digest {
			t.Errorf("%s: %s from cargo, %s from the cache", first.Referrers[i].FileName, first.Referrers[i].Document.Digest, second.Referrers[i].Document.Digest)
		}
	}
}

// Each input that decides the graph (or the toolchain) makes the next
// build ask cargo again, and the one after that hit again.
func TestGraphCacheKeyInputsInvalidate(t *testing.T) {
	for _, tc := range []struct {
		name           string
		change         func(t *testing.T, c *cachingFake, opts *testBuild)
		toolchainAgain bool
	}{
		{"Cargo.lock edited", func(t *testing.T, c *cachingFake, opts *testBuild) {
			writeFile(t, filepath.Join(opts.Dir, "Cargo.lock"), "version = 3\n\n[[package]]\nname = \"svc\"\nversion = \"1.2.3\"\n", 0o644)
		}, false},
		{"Cargo.toml edited", func(t *testing.T, c *cachingFake, opts *testBuild) {
			writeFile(t, filepath.Join(opts.Dir, "Cargo.toml"), "[package]\nname = \"svc\"\nversion = \"1.2.3\"\n[features]\nx = []\n", 0o644)
		}, false},
		{"a workspace Cargo.toml above appears", func(t *testing.T, c *cachingFake, opts *testBuild) {
			writeFile(t, filepath.Join(filepath.Dir(opts.Dir), "Cargo.toml"), "[workspace]\n", 0o644)
			t.Cleanup(func() { os.Remove(filepath.Join(filepath.Dir(opts.Dir), "Cargo.toml")) })
		}, false},
		{"features argument", func(t *testing.T, c *cachingFake, opts *testBuild) {
			opts.CargoArgs = []string{"--features", "x"}
		}, false},
		{"target", func(t *testing.T, c *cachingFake, opts *testBuild) {
			opts.Platforms = []ocispec.Platform{{OS: "linux", Architecture: "arm64"}}
		}, false},
		{"cargo config", func(t *testing.T, c *cachingFake, opts *testBuild) {
			writeFile(t, filepath.Join(opts.Dir, ".cargo", "config.toml"), "[build]\nrustflags = [\"--cfg\", \"x\"]\n", 0o644)
		}, false},
		{"--config file", func(t *testing.T, c *cachingFake, opts *testBuild) {
			writeFile(t, filepath.Join(opts.Dir, "extra.toml"), "[build]\n", 0o644)
			opts.CargoArgs = []string{"--config", "extra.toml"}
			c.build(t, *opts, &syncLog{}) // the argument is a change of its own
			writeFile(t, filepath.Join(opts.Dir, "extra.toml"), "[build]\nrustflags = [\"--cfg\", \"y\"]\n", 0o644)
		}, false},
		{"RUSTFLAGS", func(t *testing.T, c *cachingFake, opts *testBuild) {
			c.real.Env = append(c.real.Env, "RUSTFLAGS=--cfg x")
		}, true},
		{"CARGO_ variable", func(t *testing.T, c *cachingFake, opts *testBuild) {
			c.real.Env = append(c.real.Env, "CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=allow")
		}, true},
		{"toolchain", func(t *testing.T, c *cachingFake, opts *testBuild) {
			writeFile(t, c.rustc, "#!/bin/sh\n1.96.0 (fake, newer)\n", 0o755)
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, opts, log := newCachingFake(t)
			c.build(t, opts, log)
			tc.change(t, c, &opts)
			graphs, toolchains, logged := c.build(t, opts, log)
			if graphs != 1 {
				t.Errorf("after the change the build asked for %d graphs, want 1", graphs)
			}
			if tc.toolchainAgain && toolchains != 1 || !tc.toolchainAgain && toolchains != 0 {
				t.Errorf("after the change the build asked for the toolchain %d times", toolchains)
			}
			if strings.Contains(logged, "warning") {
				t.Errorf("a change of input warned:\n%s", logged)
			}
			if graphs, toolchains, _ = c.build(t, opts, log); graphs != 0 || toolchains != 0 {
				t.Errorf("the build after asked for %d graphs and %d toolchains, want none", graphs, toolchains)
			}
		})
	}
}

// Concurrent builds of one project, with the graph entry removed before
// each round so that they all miss and write it while others read it,
// never see a damaged entry and never fail (ATTACK.md class 6).
func TestGraphCacheConcurrentBuilds(t *testing.T) {
	c, opts, log := newCachingFake(t)
	c.run(t, opts)
	const rounds, builds = 50, 4
	for round := range rounds {
		for _, e := range c.graphEntries(t) {
			os.Remove(e)
		}
		var wg sync.WaitGroup
		errs := make([]error, builds)
		for i := range builds {
			wg.Go(func() { _, errs[i] = Run(t.Context(), c, opts) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if logged := log.take(); strings.Contains(logged, "not used") || strings.Contains(logged, "could not cache") {
			t.Fatalf("round %d: a build saw a damaged entry or could not write one:\n%s", round, logged)
		}
	}
	if entries := c.graphEntries(t); len(entries) != 1 {
		t.Errorf("after %d rounds the cache holds %v, want one entry", rounds, entries)
	}
	if graphs, _, _ := c.build(t, opts, log); graphs != 0 {
		t.Errorf("the entry the rounds left was not used: %d graphs asked", graphs)
	}
}

// The graph cache keeps at most graphCacheMaxEntries entries.
func TestGraphCacheIsBounded(t *testing.T) {
	c, opts, log := newCachingFake(t)
	for i := range graphCacheMaxEntries + 3 {
		opts.CargoArgs = []string{"--features", fmt.Sprint("f", i)}
		c.build(t, opts, log)
	}
	if n := len(c.graphEntries(t)); n != graphCacheMaxEntries {
		t.Errorf("the cache holds %d entries, want %d", n, graphCacheMaxEntries)
	}
}

// A FIFO where the entry belongs is refused at once (the build does not
// hang on it) and replaced.
func TestGraphCacheFIFOEntry(t *testing.T) {
	c, opts, log := newCachingFake(t)
	c.build(t, opts, log)
	entries := c.graphEntries(t)
	if len(entries) != 1 {
		t.Fatalf("entries %v, want one", entries)
	}
	os.Remove(entries[0])
	if err := syscall.Mkfifo(entries[0], 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	graphs, _, logged := c.build(t, opts, log)
	if graphs != 1 || !strings.Contains(logged, "not used") || !strings.Contains(logged, "named pipe") {
		t.Errorf("a FIFO as entry: %d graphs asked, log:\n%s", graphs, logged)
	}
	if graphs, _, _ := c.build(t, opts, log); graphs != 0 {
		t.Errorf("the FIFO was not replaced by an entry: %d graphs asked", graphs)
	}
}
