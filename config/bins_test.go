package config

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// bins and entrypoint are read from [package.metadata.krust]; bin and
// bins in one table are refused; the first source setting either wins
// both, and Settle lists each binary once.
func TestBinsSettings(t *testing.T) {
	write := func(t *testing.T, krust string) string {
		t.Helper()
		path := filepath.Join(t.TempDir(), "Cargo.toml")
		if err := os.WriteFile(path, []byte("[package]\nname = \"api\"\nversion = \"0.1.0\"\n\n[package.metadata.krust]\n"+krust), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name, toml     string
		flags          Settings
		wantBins       []string
		wantEntrypoint string
		wantErr        string
	}{
		{name: "bins and entrypoint", toml: "bins = [\"api\", \"admin\", \"api\"]\nentrypoint = \"admin\"\n",
			wantBins: []string{"api", "admin"}, wantEntrypoint: "admin"},
		{name: "bin alone", toml: "bin = \"api\"\n", wantBins: []string{"api"}},
		{name: "--bin wins over bins", toml: "bins = [\"api\", \"admin\"]\n", flags: Settings{Bin: "admin"}, wantBins: []string{"admin"}},
		{name: "several --bin win over bin", toml: "bin = \"api\"\n", flags: Settings{Bins: []string{"x", "y"}}, wantBins: []string{"x", "y"}},
		{name: "bin and bins", toml: "bin = \"api\"\nbins = [\"admin\"]\n", wantErr: "bin and bins in"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := write(t, tc.toml)
			var warn bytes.Buffer
			pkg, ws, err := CargoSettings(path, path, &warn)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("CargoSettings = %v, want an error saying %q and naming %s", err, tc.wantErr, path)
				}
				return
			}
			if err != nil || warn.Len() > 0 {
				t.Fatalf("CargoSettings: %v, warnings %q", err, warn.String())
			}
			r, err := Settle(Sources{Flags: tc.flags, Package: pkg, Workspace: ws})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Bins, tc.wantBins) || r.Entrypoint != tc.wantEntrypoint {
				t.Errorf("bins %q entrypoint %q, want %q %q", r.Bins, r.Entrypoint, tc.wantBins, tc.wantEntrypoint)
			}
		})
	}
}
