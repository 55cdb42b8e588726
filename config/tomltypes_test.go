package config_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/problems"
)

// goWords are how Go names types, which a TOML user should never read.
var goWords = regexp.MustCompile(`interface \{|\[\]|map\[|int64|float64|struct field|config\.[A-Z]`)

// A value of the wrong type is named in TOML words (an array, a table, an
// integer, a string, a boolean, a datetime), with its file, line and key;
// every such value of a file is reported at once.
func TestWrongTypesInTOMLWords(t *testing.T) {
	tests := []struct {
		name    string
		user    string // the krust config, or "" for none
		cargo   string // Cargo.toml after [package]
		want    []string
		problem int // how many problems in all
	}{
		{"config: a string for an array", "tags = \"v1\"\n", "",
			[]string{`line 1: tags: want an array of strings, not a string ("v1"): write tags = ["v1"]`}, 1},
		{"config: ports as a string", "\nports = \"8080\"\n", "",
			[]string{`line 2: ports: want an array of integers or strings, not a string ("8080"): write ports = ["8080"]`}, 1},
		{"config: an array for a table", "env = [\"A=b\"]\n", "", []string{"line 1: env: want a table of strings, not an array"}, 1},
		{"config: an integer, a boolean, a date, a datetime", "platforms = 1\nlibc = true\nworkdir = 1979-05-27\nuser = 1979-05-27T07:32:00Z\n", "",
			[]string{"line 1: platforms: want an array of strings, not an integer (1)", "line 2: libc: want a string, not a boolean (true)",
				"line 3: workdir: want a string, not a date (1979-05-27)", "line 4: user: want a string, not a datetime"}, 4},
		{"config: inside arrays and tables", "ports = [8080, true, 1.5]\nlabels = { a = 1 }\n[registries.\"r.example\"]\nusername = 5\n", "",
			[]string{"line 1: ports[1]: want an integer or a string, not a boolean (true)", "line 1: ports[2]: want an integer or a string, not a float (1.5)",
				"line 2: labels.a: want a string, not an integer (1)", `line 4: registries."r.example".username: want a string, not an integer (5)`}, 4},
		{"config: a table for a string or a boolean", "[sbom]\nformat = \"spdx\"\n", "", []string{"line 1: sbom: want a string or a boolean, not a table"}, 1},
		{"config: build.cargo_args", "[build]\ncargo_args = \"--locked\"\n", "",
			[]string{`line 2: build.cargo_args: want an array of strings, not a string ("--locked"): write cargo_args = ["--locked"]`}, 1},
		{"Cargo.toml: package and workspace tables", "",
			"[package.metadata.krust]\ntags = \"v1\"\nsbom = 3\n[workspace.metadata.krust]\nenv = { A = [1] }\n",
			[]string{`line 5: package.metadata.krust.tags: want an array of strings, not a string ("v1")`,
				"line 6: package.metadata.krust.sbom: want a string or a boolean, not an integer (3)",
				"line 8: workspace.metadata.krust.env.A: want a string, not an array"}, 3},
		{"Cargo.toml: dotted keys", "", "metadata.krust.args = \"--serve\"\n",
			[]string{`line 4: package.metadata.krust.args: want an array of strings, not a string ("--serve"): write args = ["--serve"]`}, 1},
		{"both files at once", "workdir = 1\n", "[package.metadata.krust]\nuser = 0\n",
			[]string{"config.toml: line 1: workdir: want a string, not an integer (1)", "Cargo.toml: line 5: package.metadata.krust.user: want a string, not an integer (0)"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := loadBoth(t, tt.user, tt.cargo)
			if err == nil {
				t.Fatal("the files were accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if goWords.MatchString(err.Error()) {
				t.Errorf("error speaks Go, not TOML:\n%v", err)
			}
			count := 1
			var list problems.List
			if errors.As(err, &list) {
				count = len(list)
			}
			if count != tt.problem {
				t.Errorf("%d problems, want %d:\n%v", count, tt.problem, err)
			}
			if !errors.Is(err, config.ErrInvalidSetting) {
				t.Errorf("error %v is not ErrInvalidSetting", err)
			}
		})
	}
}

// loadBoth reads the krust config user and a Cargo.toml of a package
// "a" with cargo after its [package] table, as a build does, and returns
// the problems of both.
func loadBoth(t *testing.T, user, cargo string) error {
	t.Helper()
	dir := t.TempDir()
	var errs []error
	if user != "" {
		path := filepath.Join(dir, "config.toml")
		if err := os.WriteFile(path, []byte(user), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := config.Load(path, io.Discard)
		errs = append(errs, err)
	}
	if cargo != "" {
		manifest := filepath.Join(dir, "Cargo.toml")
		if err := os.WriteFile(manifest, []byte("[package]\nname = \"a\"\nversion = \"0.1.0\"\n"+cargo), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := config.CargoSettings(manifest, manifest, io.Discard)
		errs = append(errs, err)
	}
	return problems.Join(errs...)
}

// Right types pass the check, other tools' tables in Cargo.toml are not
// looked at, and unknown keys stay warnings.
func TestRightTypesPass(t *testing.T) {
	dir := t.TempDir()
	manifest := filepath.Join(dir, "Cargo.toml")
	content := "[package]\nname = \"a\"\nversion = \"0.1.0\"\n[package.metadata.other]\ntags = 5\n[package.metadata.krust]\n" +
		"tags = [\"v1\"]\nports = [8080, \"53/udp\"]\nsbom = false\nprovenance = \"slsa\"\nenv = { A = \"1\" }\ncolour = 1\n"
	if err := os.WriteFile(manifest, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	pkg, _, err := config.CargoSettings(manifest, manifest, &warn)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.Tags) != 1 || len(pkg.Ports) != 2 || pkg.SBOM != string(attest.None) || !strings.Contains(warn.String(), `unknown key "colour"`) {
		t.Errorf("settings %+v, warnings %q", pkg, warn.String())
	}
}
