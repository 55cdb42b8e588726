package scrub

import (
	"strings"
	"testing"
)

// TestScrubbingTwiceChangesNothing: what is scrubbed is kept scrubbed in
// krust's caches and scrubbed again when a document is written from the
// cache, so a second pass must give the first pass's result, or a build
// from the cache writes other documents than one that asked cargo.
func TestScrubbingTwiceChangesNothing(t *testing.T) {
	paths := []string{"/tmp/a/b", "/home/alice", "/root", "/", "~bob/x", "~bob", "../x/y", "a/../../x", "..", "a/b", ".", "", "<local>/x", "<local>"}
	var inputs []string
	for _, p := range paths {
		inputs = append(inputs, p, "file://"+p, "file://localhost"+p, "-L"+p, "a "+p+" b", "k="+p, "x:"+p+":y")
	}
	inputs = append(inputs,
		"https://bob:p/w@git.example.invalid/x", "ssh://git@github.com/a/b", "git@github.com:a/b.git",
		"https://u%40corp:p\"w@example.invalid/home", "https://x.invalid/a?b#c", "http://[::1]:8080/x",
		"see https://d:pw@example.invalid/docs and file:///srv/x", "branch=main", "rev=abc", "tag=v1",
		"sparse+https://index.example.invalid/", "registry+https://a:b@r.invalid/i", "file://<local>",
		"https://medium.com/@alice", "not a url", "mailto:x@y.invalid")
	funcs := map[string]func(string) string{"URL": URL, "Path": Path, "Value": Value, "Prose": Prose}
	for name, f := range funcs {
		for _, in := range inputs {
			once := f(in)
			if twice := f(once); twice != once {
				t.Errorf("%s(%q) = %q, but %s of that is %q", name, in, once, name, twice)
			}
		}
	}
}

// TestAMarkerInAPathDoesNotStopScrubbing: a path holding "<local>" is
// not taken for one scrubbed already.
func TestAMarkerInAPathDoesNotStopScrubbing(t *testing.T) {
	for _, in := range []string{"file:///home/alice/<local>/x", "file://<local>/alice/x", "file://h/alice/<local>/x"} {
		for name, f := range map[string]func(string) string{"URL": URL, "Value": Value} {
			if got := f(in); strings.Contains(got, "alice") {
				t.Errorf("%s(%q) = %q, still naming the directory", name, in, got)
			}
		}
	}
}
