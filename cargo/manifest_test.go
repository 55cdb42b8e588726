package cargo

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/regular"
)

func TestParseManifestFields(t *testing.T) {
	all := manifestFields{license: "MIT", licenseFile: "LICENSE", description: "d", homepage: "https://h", repository: "https://r"}
	tests := []struct {
		name, toml string
		want       manifestFields
		resolved   bool
	}{
		{"all", `[package]
name = "x"
license = "MIT"
license-file = "LICENSE"
description = "d"
homepage = "https://h"
repository = "https://r"
[package.metadata.docs]
description = "not this one"
[dependencies]
description = "1"
`, all, true},
		{"none", "[package]\nname = \"x\"\n", manifestFields{}, true},
		{"old [project]", "[project]\nname = \"x\"\nlicense = \"MIT\"\n", manifestFields{license: "MIT"}, true},
		{"dotted keys", "package.name = \"x\"\npackage.description = \"d\"\n", manifestFields{description: "d"}, true},
		{"escapes and multi-line", "[package]\ndescription = \"\"\"\nA \\\"quoted\\\"\\tline\nand another\"\"\"\nhomepage = 'https://h\\x'\n",
			manifestFields{description: "A \"quoted\"\tline\nand another", homepage: `https://h\x`}, true},
		{"after other tables", "[features]\ndefault = []\n[package]\nlicense = \"MIT\"\n", manifestFields{license: "MIT"}, true},
		{"inherited", "[package]\nname = \"x\"\ndescription.workspace = true\nlicense = \"MIT\"\n", manifestFields{license: "MIT"}, false},
		{"inherited inline", "[package]\nhomepage = { workspace = true }\n", manifestFields{}, false},
		{"inherited table", "[package]\nname = \"x\"\n[package.license-file]\nworkspace = true\n", manifestFields{}, false},
		{"package inline", "package = { name = \"x\", description = \"d\" }\n", manifestFields{}, false},
		{"not a string", "[package]\nrepository = 3\n", manifestFields{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, resolved, err := parseManifestFields([]byte(tc.toml))
			if err != nil {
				t.Fatal(err)
			}
			if resolved != tc.resolved || tc.resolved && got != tc.want {
				t.Errorf("parseManifestFields = %+v, %v; want %+v, %v", got, resolved, tc.want, tc.resolved)
			}
		})
	}
	if _, _, err := parseManifestFields([]byte("[package\n")); err == nil {
		t.Error("a broken Cargo.toml was read")
	}
}

func TestReadManifestFieldsRefuses(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big", "Cargo.toml")
	writeTestFile(t, big, "[package]\n# "+strings.Repeat("x", MaxManifestBytes)+"\n")
	tests := []struct {
		name, path string
		want       error
	}{
		{"missing", filepath.Join(dir, "none", "Cargo.toml"), fs.ErrNotExist},
		{"directory", dir, regular.ErrNotRegular},
		{"too large", big, regular.ErrTooLarge},
	}
	for _, tc := range tests {
		_, _, err := readManifestFields(tc.path)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.path) {
			t.Errorf("%s: %v, want %v naming the file", tc.name, err, tc.want)
		}
	}
}

// TestParseManifestFieldsTime: a [features] table of 20,000 keys (a
// 1 MiB Cargo.toml) is read in linear time; decoding the whole file took
// half a second.
func TestParseManifestFieldsTime(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("[package]\nname = \"x\"\ndescription = \"d\"\n\n[features]\n")
	for i := range 20000 {
		fmt.Fprintf(&sb, "feature_number_%d = [\"dep_%d\", \"other/feature_%d\"]\n", i, i, i)
	}
	start := time.Now()
	f, _, err := parseManifestFields([]byte(sb.String()))
	if err != nil || f.description != "d" {
		t.Fatalf("parseManifestFields = %+v, %v", f, err)
	}
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Errorf("read %d bytes in %v, want well under 100 ms", sb.Len(), took)
	}
}
