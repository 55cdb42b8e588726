package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad checks that Load never panics, names the file in every error and
// warning, and that the settings of a loaded config can be read.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"",
		"base_image = \"gcr.io/distroless/cc-debian12\"\ndefault_registry = \"ghcr.io/me\"\n" +
			"insecure_registries = [\"localhost:5000\"]\nplatforms = [\"linux/amd64\", \"linux/arm64\"]\n" +
			"ports = [8080, \"53/udp\"]\n\n[build]\ncargo_args = [\"--locked\"]\n\n" +
			"[registries.\"ghcr.io\"]\nusername = \"me\"\npassword = \"secret\"\n",
		"colour = \"blue\"\n[build]\nspeed = 11\n",
		"ports = [true]\n",
		"sbom = \"cyclonedx\"\nprovenance = false\n",
		"sbom = [true]\n",
		"ports = [1.5, {a = 1}]\n",
		"base_image = [\"not\", \"a\", \"string\"]\n",
		"[registries]\nx = 1\n",
		"base_image = \"unterminated\n",
		"[env]\nA = \"1\"\n[env]\nB = \"2\"\n",
		"\xff\xfe = 1\n",
	} {
		f.Add([]byte(s))
	}
	path := filepath.Join(f.TempDir(), "krust", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var warn bytes.Buffer
		cfg, err := Load(path, &warn)
		checkWarnings(t, warn.String(), path)
		if err != nil {
			if cfg != nil {
				t.Fatalf("Load returned a config with error %v", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("Load error %q does not name %s", err, path)
			}
			return
		}
		if cfg == nil {
			t.Fatal("Load returned neither a config nor an error")
		}
		if _, err := cfg.Settings(path); err != nil && !strings.Contains(err.Error(), path) {
			t.Fatalf("Settings error %q does not name %s", err, path)
		}
	})
}

// FuzzCargoSettings checks that CargoSettings never panics and names the
// manifest in every error and warning.
func FuzzCargoSettings(f *testing.F) {
	for _, s := range []string{
		"[package]\nname = \"hello-krust\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n\n" +
			"[package.metadata.krust]\nbase-image = \"gcr.io/distroless/cc-debian12\"\n" +
			"platforms = [\"linux/amd64\", \"linux/arm64\"]\nports = [8080, \"53/udp\"]\n" +
			"cargo-args = [\"--locked\"]\nenv = { RUST_LOG = \"info\" }\nlabels = { team = \"core\" }\n",
		"[workspace]\nmembers = [\"api\"]\n\n[workspace.metadata.krust]\nbase-image = \"ws/base:1\"\ncolour = \"blue\"\n",
		"[package]\nname = \"api\"\n[package.metadata.krust]\nports = [true]\n",
		"[package]\nname = \"api\"\n[package.metadata]\nkrust = 1\n",
		"package = \"not a table\"\n",
		"[package.metadata.krust]\nenv = { A = 1 }\n",
		"[package.metadata.krust]\nsbom = false\nprovenance = \"slsa\"\n[workspace.metadata.krust]\nsbom = 1\n",
		"[package\n",
		"",
	} {
		f.Add([]byte(s))
	}
	path := filepath.Join(f.TempDir(), "hello-krust", "Cargo.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var warn bytes.Buffer
		_, _, err := CargoSettings(path, path, &warn)
		checkWarnings(t, warn.String(), path)
		if err != nil && !strings.Contains(err.Error(), path) {
			t.Fatalf("CargoSettings error %q does not name %s", err, path)
		}
	})
}

// checkWarnings checks that every warning line names the file.
func checkWarnings(t *testing.T, warnings, path string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(warnings, "\n"), "\n") {
		if line != "" && (!strings.HasPrefix(line, "warning: ") || !strings.Contains(line, path)) {
			t.Fatalf("warning line %q does not name %s", line, path)
		}
	}
}
