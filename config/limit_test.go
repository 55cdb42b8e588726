package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const cargoHead = "[package]\nname = \"api\"\nversion = \"0.1.0\"\n"

// pathologicalToml returns a TOML document of exactly size bytes whose
// [TABLE] holds as many keys as fit: the slowest kind for go-toml.
func pathologicalToml(head, table string, size int) string {
	var b strings.Builder
	b.WriteString(head + "[" + table + "]\n")
	for i := 0; ; i++ {
		line := "k" + strconv.Itoa(i) + " = \"v\"\n"
		if b.Len()+len(line) > size-1 {
			break
		}
		b.WriteString(line)
	}
	b.WriteString(strings.Repeat("#", size-b.Len()-1) + "\n")
	return b.String()
}

func TestOversizeTomlIsRefused(t *testing.T) {
	dir := t.TempDir()
	member, root := filepath.Join(dir, "api", "Cargo.toml"), filepath.Join(dir, "Cargo.toml")
	cfg := filepath.Join(dir, "config.toml")
	small := cargoHead + "[package.metadata.krust]\nports = [8080]\n"
	tests := []struct {
		name      string
		files     map[string]string
		read      func() error
		wantPath  string
		wantFix   string
		wantError bool
	}{
		{"package Cargo.toml over the limit", map[string]string{member: pathologicalToml(cargoHead, "package.metadata.krust.labels", MaxTOMLBytes+1), root: "[workspace]\n"},
			func() error { _, _, err := CargoSettings(member, root, &bytes.Buffer{}); return err }, member, "[package.metadata]", true},
		{"workspace Cargo.toml over the limit", map[string]string{member: small, root: pathologicalToml("", "workspace.metadata.other", MaxTOMLBytes+1)},
			func() error { _, _, err := CargoSettings(member, root, &bytes.Buffer{}); return err }, root, "[package.metadata]", true},
		{"krust config over the limit", map[string]string{cfg: pathologicalToml("", "env", MaxTOMLBytes+1)},
			func() error { _, err := Load(cfg, &bytes.Buffer{}); return err }, cfg, "remove what is not krust's", true},
		{"Cargo.toml at the limit", map[string]string{member: pathologicalToml(cargoHead, "package.metadata.krust.labels", MaxTOMLBytes), root: "[workspace]\n"},
			func() error { _, _, err := CargoSettings(member, root, &bytes.Buffer{}); return err }, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for path, content := range tt.files {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := tt.read()
			if !tt.wantError {
				if err != nil {
					t.Fatalf("a file of exactly %d bytes: %v", MaxTOMLBytes, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("a file of %d bytes was parsed, want it refused", MaxTOMLBytes+1)
			}
			for _, want := range []string{tt.wantPath, fmt.Sprintf("is %d bytes", MaxTOMLBytes+1), strconv.Itoa(MaxTOMLBytes), tt.wantFix} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

// TestKrustTableOfUnknownKeysWarns guards the shortcut that parses a
// Cargo.toml once when it has no krust table: a table of unknown keys only
// is still a krust table.
func TestKrustTableOfUnknownKeysWarns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Cargo.toml")
	if err := os.WriteFile(path, []byte(cargoHead+"[package.metadata.krust]\ncolour = \"blue\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	if _, _, err := CargoSettings(path, path, &warn); err != nil || !strings.Contains(warn.String(), `unknown key "colour"`) {
		t.Fatalf("CargoSettings = %v, warnings %q; want a warning about colour", err, warn.String())
	}
}

// BenchmarkCargoSettings times CargoSettings on a normal Cargo.toml and
// on the slowest kind at MaxTOMLBytes (one table of 13,000 keys), in the
// krust table (parsed twice, for unknown keys) or in another (once):
//
//	go test ./config -run '^$' -bench BenchmarkCargoSettings -benchtime 5x
func BenchmarkCargoSettings(b *testing.B) {
	normal := cargoHead + "description = \"a service\"\nlicense = \"MIT\"\n\n[dependencies]\nserde = \"1\"\n\n" +
		"[package.metadata.krust]\nbase-image = \"gcr.io/distroless/static\"\nports = [8080]\nlabels = { team = \"core\" }\n"
	for _, tt := range []struct{ name, doc string }{
		{"normal", normal},
		{"pathological at the limit, krust's table", pathologicalToml(cargoHead, "package.metadata.krust.labels", MaxTOMLBytes)},
		{"pathological at the limit, another table", pathologicalToml(cargoHead, "package.metadata.other", MaxTOMLBytes)},
	} {
		b.Run(tt.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "Cargo.toml")
			if err := os.WriteFile(path, []byte(tt.doc), 0o644); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, _, err := CargoSettings(path, path, &bytes.Buffer{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(tt.doc)), "bytes")
		})
	}
}
