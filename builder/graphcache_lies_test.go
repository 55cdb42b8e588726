package builder

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/cargo"
	digest "github.com/opencontainers/go-digest"
)

// forgeGraph rewrites the graph in the entry at path with change, and
// its digest with it unless keepDigest.
func forgeGraph(t *testing.T, path string, keepDigest bool, change func(g *graphEntry)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var e answerEntry
	var g graphEntry
	if err := json.Unmarshal(data, &e); err != nil || json.Unmarshal(e.Value, &g) != nil {
		t.Fatalf("entry %s: %v", path, err)
	}
	change(&g)
	if e.Value, err = json.Marshal(g); err != nil {
		t.Fatal(err)
	}
	if !keepDigest {
		e.Digest = digest.FromBytes(e.Value)
	}
	data, _ = json.Marshal(e)
	writeFile(t, path, string(data), 0o644)
}

// Every entry that does not check out is a miss with a warning naming
// it, cargo is asked again, and the entry is written anew (ATTACK.md
// class 4); nothing outside the cache is read or written.
func TestGraphCacheLies(t *testing.T) {
	for _, tc := range []struct {
		name   string
		forge  func(t *testing.T, c *cachingFake, opts testBuild, entry string)
		warn   string
		stays  bool // the forgery cannot be replaced: every build warns
		noName bool // the warning is about the directory, not the entry
	}{
		{name: "garbage", warn: "damaged", forge: func(t *testing.T, _ *cachingFake, _ testBuild, entry string) {
			writeFile(t, entry, "not json at all", 0o644)
		}},
		{name: "truncated", warn: "damaged", forge: func(t *testing.T, _ *cachingFake, _ testBuild, entry string) {
			data, _ := os.ReadFile(entry)
			writeFile(t, entry, string(data[:len(data)/2]), 0o644)
		}},
		{name: "empty", warn: "damaged", forge: func(t *testing.T, _ *cachingFake, _ testBuild, entry string) {
			writeFile(t, entry, "", 0o644)
		}},
		{name: "another key's entry", warn: "another key", forge: func(t *testing.T, c *cachingFake, opts testBuild, entry string) {
			opts.CargoArgs = []string{"--features", "other"}
			c.build(t, opts, &syncLog{})
			for _, e := range c.graphEntries(t) {
				if e != entry {
					data, _ := os.ReadFile(e)
					writeFile(t, entry, string(data), 0o644)
				}
			}
		}},
		{name: "content that does not match its digest", warn: "not the", forge: func(t *testing.T, _ *cachingFake, _ testBuild, entry string) {
			forgeGraph(t, entry, true, func(g *graphEntry) { g.Crates[0].License = "GPL-3.0" })
		}},
		{name: "a crate the build did not compile", warn: "evil", forge: func(t *testing.T, _ *cachingFake, _ testBuild, entry string) {
			forgeGraph(t, entry, false, func(g *graphEntry) {
				g.Crates = append(g.Crates, cargo.Crate{ID: digest.FromString("registry+https://example.invalid#evil@6.6.6").String(), Name: "evil"})
			})
		}},
		{name: "another Cargo.lock", warn: "is for", forge: func(t *testing.T, _ *cachingFake, _ testBuild, entry string) {
			forgeGraph(t, entry, false, func(g *graphEntry) { g.Lockfile = digest.FromString("another") })
		}},
		{name: "a root outside the graph", warn: "root", forge: func(t *testing.T, _ *cachingFake, _ testBuild, entry string) {
			forgeGraph(t, entry, false, func(g *graphEntry) { g.Root = digest.FromString("path+file:///elsewhere#1.0.0") })
		}},
		{name: "a dependency the build did not compile", warn: "a dependency of", forge: func(t *testing.T, _ *cachingFake, _ testBuild, entry string) {
			forgeGraph(t, entry, false, func(g *graphEntry) { g.Crates[0].Dependencies = []string{digest.FromString("hidden").String()} })
		}},
		{name: "oversized", warn: "too large", forge: func(t *testing.T, _ *cachingFake, _ testBuild, entry string) {
			writeFile(t, entry, strings.Repeat(" ", maxAnswerEntrySize+1), 0o644)
		}},
		{name: "a link out of the cache", warn: "symbolic link", forge: func(t *testing.T, _ *cachingFake, _ testBuild, entry string) {
			outside := filepath.Join(t.TempDir(), "secret.json")
			data, _ := os.ReadFile(entry)
			writeFile(t, outside, string(data), 0o600)
			os.Remove(entry)
			if err := os.Symlink(outside, entry); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "a directory", warn: "directory", stays: true, forge: func(t *testing.T, _ *cachingFake, _ testBuild, entry string) {
			os.Remove(entry)
			if err := os.MkdirAll(filepath.Join(entry, "x"), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "the cache directory linked elsewhere", warn: "symbolic link", stays: true, noName: true, forge: func(t *testing.T, c *cachingFake, _ testBuild, entry string) {
			dir := filepath.Dir(entry)
			outside := t.TempDir()
			data, _ := os.ReadFile(entry)
			writeFile(t, filepath.Join(outside, filepath.Base(entry)), string(data), 0o644)
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, dir); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if names, _ := filepath.Glob(filepath.Join(outside, "*")); len(names) != 1 {
					t.Errorf("the cache wrote through the link: %v", names)
				}
			})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, opts, log := newCachingFake(t)
			c.build(t, opts, log)
			entries := c.graphEntries(t)
			if len(entries) != 1 {
				t.Fatalf("entries %v, want one", entries)
			}
			tc.forge(t, c, opts, entries[0])
			graphs, _, logged := c.build(t, opts, log)
			if graphs != 1 || !strings.Contains(logged, tc.warn) {
				t.Errorf("after the forgery: %d graphs asked (want 1), log (want %q):\n%s", graphs, tc.warn, logged)
			}
			if !tc.noName && !strings.Contains(logged, filepath.Base(entries[0])) {
				t.Errorf("the warning does not name the entry %s:\n%s", entries[0], logged)
			}
			graphs, _, logged = c.build(t, opts, log)
			if tc.stays && (graphs != 1 || !strings.Contains(logged, "warning")) {
				t.Errorf("the forgery stayed but the next build asked %d graphs without warning:\n%s", graphs, logged)
			}
			if !tc.stays && (graphs != 0 || logged != "" && strings.Contains(logged, "warning")) {
				t.Errorf("the entry was not written anew: the next build asked for %d graphs:\n%s", graphs, logged)
			}
		})
	}
}

// A toolchain entry that names no toolchain is a miss with a warning.
func TestToolchainCacheLies(t *testing.T) {
	c, opts, log := newCachingFake(t)
	c.build(t, opts, log)
	entries, _ := filepath.Glob(filepath.Join(c.project.TargetDir, filepath.FromSlash(toolchainCacheRel), "*.json"))
	if len(entries) != 1 {
		t.Fatalf("toolchain entries %v, want one", entries)
	}
	data, _ := os.ReadFile(entries[0])
	var e answerEntry
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	e.Value = json.RawMessage(`{"Rustc":"","Cargo":"cargo 1","Host":""}`)
	e.Digest = digest.FromBytes(e.Value)
	data, _ = json.Marshal(e)
	writeFile(t, entries[0], string(data), 0o644)
	_, toolchains, logged := c.build(t, opts, log)
	if toolchains != 1 || !strings.Contains(logged, "names no rustc") {
		t.Errorf("a toolchain entry naming none: %d asked, log:\n%s", toolchains, logged)
	}
	if _, toolchains, _ = c.build(t, opts, log); toolchains != 0 {
		t.Errorf("the toolchain entry was not written anew")
	}
}
