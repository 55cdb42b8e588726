package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGraphCacheRealCargo builds example/crates-krust (real crates) with
// a cargo on PATH that records each command it is given: a no-op rebuild
// takes the crate graph and the toolchain from krust's caches (no cargo
// tree, no second cargo metadata, no cargo --version) and attaches the
// very documents cargo's answers gave; a changed Cargo.toml asks cargo
// again, and what the cache then gives equals what cargo gives with the
// cache deleted.
func TestGraphCacheRealCargo(t *testing.T) {
	requireTool(t, "cargo")
	project := copyCrates(t, t.TempDir())
	env, calls := countingCargo(t)

	build := func(step string, want map[string]int) []string {
		t.Helper()
		os.Remove(calls)
		dir, res := buildCrates(t, project, env)
		if res.code != 0 {
			t.Fatalf("%s: exit %d\n%s", step, res.code, res.stderr)
		}
		if strings.Contains(res.stderr, "warning: crate graph") || strings.Contains(res.stderr, "toolchain cache") {
			t.Errorf("%s warned about a cache:\n%s", step, res.stderr)
		}
		got := map[string]int{}
		data, _ := os.ReadFile(calls)
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) > 0 {
				got[f[0]]++ // the command: build, tree, metadata, --version
			}
		}
		for cmd, n := range want {
			if got[cmd] != n {
				t.Errorf("%s ran cargo %s %d times, want %d (all: %v)", step, cmd, got[cmd], n, got)
			}
		}
		var digests []string
		for _, r := range layoutReferrers(t, dir) {
			digests = append(digests, string(r.Digest))
		}
		return digests
	}
	miss := map[string]int{"tree": 1, "metadata": 2, "--version": 1}
	hit := map[string]int{"tree": 0, "metadata": 1, "--version": 0}

	fromCargo := build("first build", miss)
	if fromCargo2 := build("no-op rebuild", hit); strings.Join(fromCargo2, " ") != strings.Join(fromCargo, " ") {
		t.Errorf("the documents from the cache %v are not those from cargo %v", fromCargo2, fromCargo)
	}
	manifest := filepath.Join(project, "Cargo.toml")
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, manifest, strings.Replace(string(data), `description = "`, `description = "Changed: `, 1))
	changed := build("build after Cargo.toml changed", map[string]int{"tree": 1, "--version": 0})
	cached := build("no-op rebuild after the change", hit)
	if err := os.RemoveAll(filepath.Join(project, "target", "krust", ".cache")); err != nil {
		t.Fatal(err)
	}
	cold := build("build with the caches deleted", miss)
	if strings.Join(changed, " ") != strings.Join(cold, " ") || strings.Join(cached, " ") != strings.Join(cold, " ") {
		t.Errorf("documents after the change %v, from the cache %v, with no cache %v: want them all the same", changed, cached, cold)
	}
}
