package config

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestMerge(t *testing.T) {
	got := merge(
		Settings{Libc: "glibc", Env: map[string]string{"A": "1"}},
		Settings{Libc: "musl", User: "app", Tags: []string{"v1"}, Env: map[string]string{"A": "2", "B": "2"}},
		Settings{User: "root", Tags: []string{"v2", "v3"}, Platforms: []string{"linux/arm64"}},
	)
	if got.Libc != "glibc" || got.User != "app" || !slices.Equal(got.Tags, []string{"v1"}) || !slices.Equal(got.Platforms, []string{"linux/arm64"}) {
		t.Errorf("merge = %+v", got)
	}
	if got.Env["A"] != "1" || got.Env["B"] != "2" {
		t.Errorf("env %v, want A from the first source and B from the second", got.Env)
	}
}

func TestCargoSettings(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "Cargo.toml")
	member := filepath.Join(dir, "api", "Cargo.toml")
	write := func(path, content string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(ws, "[workspace]\nmembers = [\"api\"]\n\n[workspace.metadata.krust]\nbase-image = \"ws/base:1\"\nplatforms = [\"linux/amd64\", \"linux/arm64\"]\ncolour = \"blue\"\nsbom = false\nprovenance = \"none\"\n")
	write(member, "[package]\nname = \"api\"\nversion = \"0.1.0\"\n\n[package.metadata.krust]\nports = [8080, \"53/udp\"]\ncargo-args = [\"--locked\"]\nprofile = \"dist\"\ncompression = \"zstd\"\nenv = { A = \"1\" }\n")
	var warn bytes.Buffer
	pkg, wsS, err := CargoSettings(member, ws, &warn)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pkg.Ports, []string{"8080", "53/udp"}) || !slices.Equal(pkg.CargoArgs, []string{"--locked"}) || pkg.Env["A"] != "1" || pkg.Profile != "dist" || pkg.Compression != "zstd" {
		t.Errorf("package settings %+v", pkg)
	}
	if wsS.BaseImage != "ws/base:1" || len(wsS.Platforms) != 2 || wsS.SBOM != "none" || wsS.Provenance != "none" {
		t.Errorf("workspace settings %+v", wsS)
	}
	if strings.Count(warn.String(), "unknown key") != 1 || !strings.Contains(warn.String(), `unknown key "colour" in [workspace.metadata.krust]`) || !strings.Contains(warn.String(), ws) {
		t.Errorf("warnings %q", warn.String())
	}
	write(member, "[package]\nname = \"api\"\n[package.metadata.krust]\nports = [true]\n")
	if _, _, err := CargoSettings(member, ws, &warn); err == nil || !strings.Contains(err.Error(), "ports") {
		t.Errorf("a bad port gave %v", err)
	}
}
