package resolve

import (
	"strings"
	"testing"
)

// Digests the tests put in place of references.
const (
	hexA    = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	hexB    = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
	imageA  = "127.0.0.1:5000/ws/api@sha256:" + hexA
	imageB  = "127.0.0.1:5000/ws/web@sha256:" + hexB
	testSrc = "deploy.yaml"
)

// edit replaces the first occurrence of old at or after the previous
// edit's end.
type edit struct{ old, new string }

// applyEdits is the expected output, computed from the input alone.
func applyEdits(t *testing.T, in string, edits []edit) string {
	t.Helper()
	var b strings.Builder
	rest := in
	for _, e := range edits {
		i := strings.Index(rest, e.old)
		if i < 0 {
			t.Fatalf("test is wrong: %q not in %q", e.old, rest)
		}
		b.WriteString(rest[:i])
		b.WriteString(e.new)
		rest = rest[i+len(e.old):]
	}
	b.WriteString(rest)
	return b.String()
}

// one is a single source named testSrc.
func one(data string) []Source {
	return []Source{{Name: testSrc, Data: []byte(data)}}
}

// replacements maps api to imageA and web to imageB.
func replacements() map[string]string {
	return map[string]string{"api": imageA, "web": imageB}
}
