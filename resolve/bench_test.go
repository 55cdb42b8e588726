package resolve

import (
	"fmt"
	"strings"
	"testing"
)

// configMaps is n documents, a small ConfigMap each, with no reference.
func configMaps(n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-%d\n  namespace: apps\n"+
			"data:\n  LOG_LEVEL: info # default\n  PORT: \"8080\"\n", i)
	}
	return []byte(b.String())
}

func BenchmarkRewriteNoReferences(b *testing.B) {
	srcs := one(string(configMaps(10000)))
	b.SetBytes(int64(len(srcs[0].Data)))
	for b.Loop() {
		out, err := Rewrite(srcs, replacements())
		if err != nil || len(out) != len(srcs[0].Data) {
			b.Fatal(err)
		}
	}
}

// BenchmarkRewriteSomeReferences has two references in about one
// document of nine (config-5, config-50..., config-5000...).
func BenchmarkRewriteSomeReferences(b *testing.B) {
	data := configMaps(10000)
	in := strings.ReplaceAll(string(data), "config-5", "c\n  image: krust://api\n  x: 'krust://web'\n  y: config-5")
	srcs := one(in)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := Rewrite(srcs, replacements()); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRewriteManyDocumentsUnchanged(t *testing.T) {
	data := configMaps(1000)
	got, err := Rewrite(one(string(data)), replacements())
	if err != nil || string(got) != string(data) {
		t.Fatalf("Rewrite changed a stream without references: %v", err)
	}
}
