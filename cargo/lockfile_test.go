package cargo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	sumHex   = "7f24254aa9a54b5c858eaee2f5bccdb46aaf0e486a595ed5fd8f86ba55232a70"
	sumSerde = "bb7d1f0d3021d347a83e556fc4683dea2ea09d87bccdf88ff5c12545d89d5efb"
	srcIO    = "registry+https://github.com/rust-lang/crates.io-index"
)

// lockfiles of each version with the same packages: a path package (no
// source, no checksum), two registry packages and a git one.
var lockfiles = map[string]string{
	// Version 1 (cargo before 1.41): checksums in [metadata].
	"v1": `[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "hex 0.4.3 (registry+https://github.com/rust-lang/crates.io-index)",
 "serde 1.0.152 (registry+https://github.com/rust-lang/crates.io-index)",
 "g 0.3.0 (git+https://example.com/g?branch=main#0123abcd)",
]

[[package]]
name = "g"
version = "0.3.0"
source = "git+https://example.com/g?branch=main#0123abcd"

[[package]]
name = "hex"
version = "0.4.3"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "serde"
version = "1.0.152"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum g 0.3.0 (git+https://example.com/g?branch=main#0123abcd)" = "<none>"
"checksum hex 0.4.3 (registry+https://github.com/rust-lang/crates.io-index)" = "` + sumHex + `"
"checksum serde 1.0.152 (registry+https://github.com/rust-lang/crates.io-index)" = "` + sumSerde + `"
`,
	// Version 2 has no version key; checksums in each package as in 3 and 4.
	"v2": lockV234(""),
	"v3": lockV234("version = 3\n\n"),
	"v4": lockV234("version = 4\n\n"),
}

func lockV234(header string) string {
	return header + `[[package]]
name = "app"
version = "0.1.0"
dependencies = ["g", "hex", "serde"]

[[package]]
name = "g"
version = "0.3.0"
source = "git+https://example.com/g?branch=main#0123abcd"

[[package]]
name = "hex"
version = "0.4.3"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "` + sumHex + `"

[[package]]
name = "serde"
version = "1.0.152"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "` + sumSerde + `"
`
}

func TestReadLockfileVersions(t *testing.T) {
	want := lockedPackages{
		{"app", "0.1.0", ""}: "",
		{"g", "0.3.0", "git+https://example.com/g?branch=main#0123abcd"}: "",
		{"hex", "0.4.3", srcIO}:     sumHex,
		{"serde", "1.0.152", srcIO}: sumSerde,
	}
	for _, version := range []string{"v1", "v2", "v3", "v4"} {
		t.Run(version, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), LockfileName)
			writeTestFile(t, path, lockfiles[version])
			lock, got, err := readLockfile(path)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("packages = %v, want %v", got, want)
			}
			sum := sha256.Sum256([]byte(lockfiles[version]))
			if lock.Path != path || lock.Digest.String() != "sha256:"+hex.EncodeToString(sum[:]) {
				t.Errorf("lockfile = %+v, want %s with the sha256 of its bytes", lock, path)
			}
		})
	}
}

// TestReadLockfileRecorded reads the Cargo.lock cargo 1.95 wrote for shop,
// whose Debian crates without a checksum have a placeholder instead.
func TestReadLockfileRecorded(t *testing.T) {
	_, got, err := readLockfile("testdata/deps-Cargo.lock")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  lockKey
		want string
	}{
		{lockKey{"hex", "0.4.3", srcIO}, sumHex},
		{lockKey{"serde", "1.0.152", srcIO}, sumSerde},
		{lockKey{"once_cell", "1.17.0", srcIO}, ""}, // "Could not get crate checksum"
		{lockKey{"shop", "0.1.0", ""}, ""},
		{lockKey{"gitdep", "0.3.0", "git+file:///home/dev/src/gitdep?branch=main#6383c4c2f6b9fd67f60a8cfb7af811478fbaf680"}, ""},
	}
	for _, tc := range tests {
		sum, ok := got[tc.key]
		if !ok || sum != tc.want {
			t.Errorf("%v: %q, %v; want %q", tc.key, sum, ok, tc.want)
		}
	}
}

func TestReadLockfileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none", LockfileName)
	if _, _, err := readLockfile(missing); err == nil || !strings.Contains(err.Error(), missing+" does not exist") {
		t.Errorf("missing lockfile: %v", err)
	}
	bad := filepath.Join(dir, "bad.lock")
	writeTestFile(t, bad, "[[package]\n")
	if _, _, err := readLockfile(bad); err == nil || !strings.Contains(err.Error(), "read "+bad) {
		t.Errorf("bad lockfile: %v", err)
	}
}

// TestReadLockfileIsBounded reads a lockfile of exactly MaxLockfileBytes
// and refuses one byte more, naming the file and the limit.
func TestReadLockfileIsBounded(t *testing.T) {
	dir := t.TempDir()
	doc := lockfiles["v4"]
	pad := strings.Repeat("#", MaxLockfileBytes-len(doc)-1) + "\n"
	exact := filepath.Join(dir, "exact.lock")
	writeTestFile(t, exact, doc+pad)
	if _, got, err := readLockfile(exact); err != nil || got[lockKey{"hex", "0.4.3", srcIO}] != sumHex {
		t.Fatalf("lockfile of exactly %d bytes: %v", MaxLockfileBytes, err)
	}
	over := filepath.Join(dir, "over.lock")
	writeTestFile(t, over, doc+"#"+pad)
	_, _, err := readLockfile(over)
	if err == nil || !strings.Contains(err.Error(), over) || !strings.Contains(err.Error(), "8388608 bytes (8 MiB)") {
		t.Fatalf("lockfile of %d bytes = %v, want it refused naming it and the limit", MaxLockfileBytes+1, err)
	}
	if info, _ := os.Stat(over); info.Size() != MaxLockfileBytes+1 {
		t.Fatalf("test lockfile has %d bytes", info.Size())
	}
}

func TestChecksumOf(t *testing.T) {
	for sum, want := range map[string]string{
		sumHex:                         sumHex,
		"<none>":                       "",
		"Could not get crate checksum": "",
		strings.ToUpper(sumHex):        "",
		sumHex[:63]:                    "",
		"":                             "",
	} {
		if got := checksumOf(sum); got != want {
			t.Errorf("checksumOf(%q) = %q, want %q", sum, got, want)
		}
	}
}

// BenchmarkReadLockfile reads a lockfile as large as MaxLockfileBytes
// allows (about 34,000 packages):
//
//	go test ./cargo -run '^$' -bench BenchmarkReadLockfile -benchtime 5x
func BenchmarkReadLockfile(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("version = 4\n")
	for i := 0; ; i++ {
		entry := fmt.Sprintf("\n[[package]]\nname = \"crate-%d\"\nversion = \"1.%d.0\"\nsource = %q\nchecksum = %q\ndependencies = [\n \"crate-%d\",\n \"serde\",\n]\n",
			i, i, srcIO, sumHex, i+1)
		if sb.Len()+len(entry) > MaxLockfileBytes {
			break
		}
		sb.WriteString(entry)
	}
	path := filepath.Join(b.TempDir(), LockfileName)
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	var n int
	for b.Loop() {
		_, pkgs, err := readLockfile(path)
		if err != nil {
			b.Fatal(err)
		}
		n = len(pkgs)
	}
	b.ReportMetric(float64(n), "packages")
	b.ReportMetric(float64(sb.Len()), "bytes")
}
