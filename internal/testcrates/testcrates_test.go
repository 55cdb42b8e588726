package testcrates

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIndexPath(t *testing.T) {
	for name, want := range map[string]string{
		"a": "1/a", "ab": "2/ab", "abc": "3/a/abc", "serde": "se/rd/serde", "Serde_JSON": "se/rd/serde_json",
	} {
		if got := indexPath(name); got != filepath.FromSlash(want) {
			t.Errorf("indexPath(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestWrite: every crate gets an index entry, only those named a .crate
// whose checksum the entry records; dev-dependencies are left out.
func TestWrite(t *testing.T) {
	for _, c := range []string{"serde-1.0.152", "hex-0.4.3"} {
		if _, err := os.Stat(filepath.Join(DebianRegistry, c)); err != nil {
			t.Fatalf("Debian's packaged crate %s is missing (.ci/run installs it): %v", c, err)
		}
	}
	dir := t.TempDir()
	if err := Write(dir, DebianRegistry, []string{"serde-1.0.152"}); err != nil {
		t.Fatal(err)
	}
	entry := func(path string) indexEntry {
		data, err := os.ReadFile(filepath.Join(dir, "index", filepath.FromSlash(path)))
		if err != nil {
			t.Fatal(err)
		}
		var e indexEntry
		if err := json.Unmarshal([]byte(strings.SplitN(string(data), "\n", 2)[0]), &e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	serde := entry("se/rd/serde")
	crate, err := os.ReadFile(filepath.Join(dir, "serde-1.0.152.crate"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(crate)
	if serde.Vers != "1.0.152" || serde.Cksum != hex.EncodeToString(sum[:]) {
		t.Errorf("serde's entry %+v does not record its .crate's checksum", serde)
	}
	if len(serde.Deps) != 1 || serde.Deps[0].Name != "serde_derive" || !serde.Deps[0].Optional || serde.Deps[0].Kind != "normal" {
		t.Errorf("serde's dependencies %+v, want the optional serde_derive alone (no dev-dependency)", serde.Deps)
	}
	if entry("3/h/hex").Vers != "0.4.3" {
		t.Error("hex has no index entry")
	}
	if _, err := os.Stat(filepath.Join(dir, "hex-0.4.3.crate")); !os.IsNotExist(err) {
		t.Errorf("hex has a .crate: %v", err)
	}
	if err := Write(t.TempDir(), DebianRegistry, []string{"nosuch-1.0.0"}); err == nil {
		t.Error("Write of a crate that is not there succeeded")
	}
}
