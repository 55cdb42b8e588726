package cargo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// treeAnswers counts the cargo tree answers m keeps.
func treeAnswers(m *Memo) int {
	return memoCalls(m, func(k string) bool { return strings.Contains(k, "\x00tree\x00") })
}

// memoCalls counts the questions m holds whose keys match.
func memoCalls(m *Memo, match func(key string) bool) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k := range m.calls {
		if match(k) {
			n++
		}
	}
	return n
}

// What a prefetch asked while the build ran is kept only while the
// Cargo.lock it was asked with is the file the build left, and only if
// it succeeded: a lockfile the build rewrote, or none, means asking
// again after the build.
func TestPrefetchGraphsKeepsOnlyAnswersThatStillHold(t *testing.T) {
	cases := []struct {
		name   string
		change func(t *testing.T, lock string)
		kept   int
	}{
		{"Cargo.lock unchanged", func(*testing.T, string) {}, 1},
		{"Cargo.lock rewritten by the build", func(t *testing.T, lock string) {
			writeTestFile(t, lock, "# rewritten\nversion = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n")
		}, 0},
		{"Cargo.lock removed", func(t *testing.T, lock string) {
			if err := os.Remove(lock); err != nil {
				t.Fatal(err)
			}
		}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTestFile(t, filepath.Join(dir, "Cargo.toml"), "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
			writeTestFile(t, filepath.Join(dir, "src", "main.rs"), "fn main() {}\n")
			c := Cargo{Env: os.Environ(), Memo: &Memo{}}
			if _, err := c.output(context.Background(), dir, c.Env, []string{"generate-lockfile", "--offline"}); err != nil {
				t.Fatal(err)
			}
			lock := filepath.Join(dir, LockfileName)
			req := DepsRequest{Dir: dir, Package: "app", Triple: "x86_64-unknown-linux-gnu"}
			settle := c.PrefetchGraphs(context.Background(), []DepsRequest{req}, lock)
			tc.change(t, lock)
			settle()
			if got := treeAnswers(c.Memo); got != tc.kept {
				t.Errorf("the memo keeps %d cargo tree answers, want %d", got, tc.kept)
			}
		})
	}
}

// A prefetch without a Cargo.lock starts nothing: there is nothing to
// compare its answers with.
func TestPrefetchGraphsWithoutLockfile(t *testing.T) {
	dir := t.TempDir()
	c := Cargo{Env: os.Environ(), Memo: &Memo{}}
	c.PrefetchGraphs(context.Background(), []DepsRequest{{Dir: dir, Package: "app", Triple: "x86_64-unknown-linux-gnu"}}, filepath.Join(dir, LockfileName))()
	if len(c.Memo.calls) != 0 {
		t.Errorf("a prefetch without Cargo.lock asked cargo %d questions", len(c.Memo.calls))
	}
}

// The watch on cargo's messages fires once, on the first "Compiling",
// split across writes as cargo writes it.
func TestCompilingWatchFiresOnce(t *testing.T) {
	fired := make(chan struct{}, 4)
	w := &compilingWatch{f: func() { fired <- struct{}{} }}
	for _, s := range []string{"    Updating index\n", "   Compiling", " a v0.1.0\n", "   Compiling", " b v0.1.0\n"} {
		_, _ = w.Write([]byte(s))
	}
	<-fired
	if len(fired) != 0 {
		t.Errorf("the watch fired %d more times", len(fired))
	}
}

// TestQuestionsInBackgroundRunAtLowPriority: what a prefetch asks (its
// context InBackground) runs at the lowest priority, so that it takes only
// the cores the build leaves idle; any other question at krust's own.
func TestQuestionsInBackgroundRunAtLowPriority(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		ctx  context.Context
		want bool
	}{{ctx, false}, {InBackground(ctx), true}} {
		if got := questionCommand(tc.ctx, "cargo", "tree").Background; got != tc.want {
			t.Errorf("a question asked with ctx %v runs in the background: %v, want %v", tc.ctx, got, tc.want)
		}
	}
}
