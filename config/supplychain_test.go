package config_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/config"
)

// supplyChainFiles writes a workspace root Cargo.toml holding both krust
// tables, and a krust config; each gets its TOML lines (none: no table).
type supplyChainFiles struct {
	pkg, ws, user string
}

func (f supplyChainFiles) settle(t *testing.T) (config.Settled, string, error) {
	t.Helper()
	dir := t.TempDir()
	manifest := filepath.Join(dir, "Cargo.toml")
	toml := "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[workspace]\n"
	if f.pkg != "" {
		toml += "\n[package.metadata.krust]\n" + f.pkg + "\n"
	}
	if f.ws != "" {
		toml += "\n[workspace.metadata.krust]\n" + f.ws + "\n"
	}
	userPath := filepath.Join(dir, "krust", "config.toml")
	if err := os.MkdirAll(filepath.Dir(userPath), 0o755); err != nil {
		t.Fatal(err)
	}
	for path, content := range map[string]string{manifest: toml, userPath: f.user + "\n"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pkg, ws, err := config.CargoSettings(manifest, manifest, io.Discard)
	if err != nil {
		return config.Settled{}, dir, err
	}
	cfg, err := config.Load(userPath, io.Discard)
	if err != nil {
		return config.Settled{}, dir, err
	}
	user, err := cfg.Settings(userPath)
	if err != nil {
		return config.Settled{}, dir, err
	}
	r, err := config.Settle(config.Sources{Package: pkg, Workspace: ws, User: user})
	return r, dir, err
}

// The sbom and provenance keys are read from [package.metadata.krust],
// [workspace.metadata.krust] and the krust config in that order, as
// strings or as booleans (false is none, true the default).
func TestSupplyChainKeysFromFiles(t *testing.T) {
	tests := []struct {
		name             string
		files            supplyChainFiles
		sbom, provenance attest.Format
	}{
		{"no keys: the defaults", supplyChainFiles{}, "spdx", "slsa"},
		{"package strings", supplyChainFiles{pkg: `sbom = "cyclonedx"` + "\n" + `provenance = "none"`}, "cyclonedx", "none"},
		{"workspace", supplyChainFiles{ws: `sbom = "none"`}, "none", "slsa"},
		{"krust config", supplyChainFiles{user: `sbom = "cyclonedx"` + "\n" + `provenance = "none"`}, "cyclonedx", "none"},
		{"package beats workspace and config", supplyChainFiles{pkg: `sbom = "spdx"`, ws: `sbom = "none"`, user: `sbom = "cyclonedx"`}, "spdx", "slsa"},
		{"workspace beats config", supplyChainFiles{ws: `provenance = "slsa"`, user: `provenance = "none"`}, "spdx", "slsa"},
		{"false is none", supplyChainFiles{pkg: "sbom = false\nprovenance = false"}, "none", "none"},
		{"false in the config", supplyChainFiles{user: "sbom = false\nprovenance = false"}, "none", "none"},
		{"true is the default, and wins over a lower source", supplyChainFiles{pkg: "sbom = true\nprovenance = true", user: `sbom = "cyclonedx"` + "\nprovenance = false"},
			"spdx", "slsa"},
		{"a bad value below a good one is never used", supplyChainFiles{pkg: `sbom = "none"`, user: `sbom = "bogus"`}, "none", "slsa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _, err := tt.files.settle(t)
			if err != nil {
				t.Fatal(err)
			}
			if r.SBOM != tt.sbom || r.Provenance != tt.provenance {
				t.Errorf("sbom %q provenance %q, want %q %q", r.SBOM, r.Provenance, tt.sbom, tt.provenance)
			}
		})
	}
}

// A value that is not one of the choices is refused, naming the file and
// table it is in and the choices.
func TestSupplyChainKeysRefusedFromFiles(t *testing.T) {
	pkgTable := "Cargo.toml [package.metadata.krust]"
	wsTable := "Cargo.toml [workspace.metadata.krust]"
	user := filepath.Join("krust", "config.toml")
	sbomChoices := "want spdx (SPDX 2.3 JSON, the default), cyclonedx (CycloneDX 1.6 JSON) or none"
	provenanceChoices := "want slsa (an in-toto statement with SLSA provenance v1, the default) or none"
	tests := []struct {
		name  string
		files supplyChainFiles
		want  []string // the file's path relative to its directory is one of them
	}{
		{"unknown sbom in the package", supplyChainFiles{pkg: `sbom = "syft"`}, []string{`sbom "syft"`, pkgTable, sbomChoices}},
		{"upper-case sbom in the workspace", supplyChainFiles{ws: `sbom = "SPDX"`}, []string{`sbom "SPDX"`, wsTable, sbomChoices}},
		{"unknown sbom in the config", supplyChainFiles{user: `sbom = "spdx-json"`}, []string{`"spdx-json"`, "sbom in ", user, sbomChoices}},
		{"unknown provenance in the package", supplyChainFiles{pkg: `provenance = "max"`}, []string{`provenance "max"`, pkgTable, provenanceChoices}},
		{"unknown provenance in the config", supplyChainFiles{user: `provenance = "slsa1"`}, []string{`"slsa1"`, "provenance in ", user, provenanceChoices}},
		{"sbom a number", supplyChainFiles{pkg: "sbom = 1"}, []string{"Cargo.toml: line 8: package.metadata.krust.sbom: want a string or a boolean, not an integer (1)"}},
		{"provenance a list in the workspace", supplyChainFiles{ws: `provenance = ["slsa"]`}, []string{"Cargo.toml: line 8: workspace.metadata.krust.provenance: want a string or a boolean, not an array"}},
		{"sbom a table in the config", supplyChainFiles{user: "[sbom]\nformat = \"spdx\""}, []string{user, "line 1: sbom: want a string or a boolean, not a table"}},
		{"both at once", supplyChainFiles{pkg: `sbom = "x"`, ws: `provenance = "y"`}, []string{`sbom "x"`, `provenance "y"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, dir, err := tt.files.settle(t)
			if !errors.Is(err, config.ErrInvalidSetting) {
				t.Fatalf("error %v, want config.ErrInvalidSetting", err)
			}
			if !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not name the file in %s", err, dir)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
