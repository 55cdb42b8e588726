package config

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
)

// flagKeys names some settings as the command's flags do.
func flagKeys() map[string]string {
	return map[string]string{"ports": "--port", "workdir": "--workdir", "env": "--env", "sbom": "--sbom", "provenance": "--provenance",
		"compression": "--compression", "tags": "--tag", "repo": "--repo", "image": "--image", "cargo-args": "arguments after --",
		"libc": "--libc", "platforms": "--platform", "profile": "--profile"}
}

// layered gives layers as the flags (named by flagKeys), Cargo.toml's
// package and workspace tables and the krust config, in that order.
func layered(layers ...Settings) Sources {
	var src Sources
	for i, l := range layers {
		if i == 0 && l.Source == "" && l.Keys == nil {
			l.Keys = flagKeys()
		}
		*[]*Settings{&src.Flags, &src.Package, &src.Workspace, &src.User}[i] = l
	}
	return src
}

func TestSettleRefusesBadValues(t *testing.T) {
	const pkg = "/p/Cargo.toml [package.metadata.krust]"
	const user = "/home/u/.config/krust/config.toml"
	portRule := "1-65535 with an optional /tcp, /udp or /sctp"
	tests := []struct {
		name   string
		layers []Settings
		want   []string // every string must be in the error
	}{
		{"word as port", []Settings{{Ports: []string{"abc"}}}, []string{`ports "abc"`, "(--port)", portRule}},
		{"port too high", []Settings{{}, {Source: pkg, Ports: []string{"70000"}}}, []string{`"70000"`, "ports in " + pkg, portRule}},
		{"port zero", []Settings{{Source: user, Ports: []string{"0"}}}, []string{`"0"`, "ports in " + user}},
		{"negative port", []Settings{{Ports: []string{"-1"}}}, []string{`"-1"`, portRule}},
		{"signed port", []Settings{{Ports: []string{"+80"}}}, []string{`"+80"`}},
		{"leading zero", []Settings{{Ports: []string{"080"}}}, []string{`"080"`}},
		{"unknown protocol", []Settings{{Ports: []string{"8080/xyz"}}}, []string{`"8080/xyz"`, portRule}},
		{"upper-case protocol", []Settings{{Ports: []string{"53/UDP"}}}, []string{`"53/UDP"`}},
		{"port range", []Settings{{Ports: []string{"8000-8100"}}}, []string{`"8000-8100"`}},
		{"protocol only", []Settings{{Ports: []string{"/tcp"}}}, []string{`"/tcp"`}},
		{"relative workdir", []Settings{{Workdir: "app"}}, []string{`workdir "app"`, "(--workdir)", "absolute path"}},
		{"relative workdir in Cargo.toml", []Settings{{}, {Source: pkg, Workdir: "./srv"}}, []string{`"./srv"`, "workdir in " + pkg}},
		{"empty env key", []Settings{{Source: user, Env: map[string]string{"": "x"}}}, []string{`env ""`, "env in " + user, "non-empty"}},
		{"= in env key", []Settings{{}, {Source: pkg, Env: map[string]string{"A=B": "1"}}}, []string{`"A=B"`, "env in " + pkg, `"="`}},
		{"newline in env key", []Settings{{Env: map[string]string{"A\nB": "1"}}}, []string{`"A\nB"`, "(--env)", "newline"}},
		{"NUL in env key", []Settings{{Env: map[string]string{"A\x00": "1"}}}, []string{"NUL"}},
		{"NUL in env value", []Settings{{Env: map[string]string{"A": "x\x00SECRETy"}}}, []string{`env "A"`, "value cannot hold NUL"}},
		{"--target in cargo-args", []Settings{{}, {Source: pkg, CargoArgs: []string{"--locked", "--target", "x86_64-unknown-linux-gnu"}}},
			[]string{`"--target"`, "cargo-args in " + pkg, "set platforms (e.g. linux/arm64) and libc"}},
		{"--target= in build.cargo_args", []Settings{{}, {}, {}, {Source: user, Keys: (&Config{}).keys(), CargoArgs: []string{"--target=aarch64-unknown-linux-gnu"}}},
			[]string{`"--target=aarch64-unknown-linux-gnu"`, "build.cargo_args in " + user, "set platforms"}},
		{"-p in cargo-args", []Settings{{}, {Source: pkg, CargoArgs: []string{"--locked", "-p", "api"}}},
			[]string{`"-p"`, "cargo-args in " + pkg, "krust chooses the packages"}},
		{"-papi", []Settings{{}, {Source: pkg, CargoArgs: []string{"-papi"}}}, []string{`"-papi"`}},
		{"--package=api", []Settings{{}, {Source: pkg, CargoArgs: []string{"--package=api"}}}, []string{`"--package=api"`}},
		{"--workspace", []Settings{{}, {Source: pkg, CargoArgs: []string{"--workspace"}}}, []string{`"--workspace"`}},
		{"--all", []Settings{{}, {Source: pkg, CargoArgs: []string{"--all"}}}, []string{`"--all"`}},
		{"--exclude x", []Settings{{}, {Source: pkg, CargoArgs: []string{"--exclude", "x"}}}, []string{`"--exclude"`}},
		{"--sbom unknown", []Settings{{SBOM: "bogus"}}, []string{`sbom "bogus"`, "(--sbom)", "spdx", "cyclonedx", "none"}},
		{"--sbom upper-case", []Settings{{SBOM: "SPDX"}}, []string{`sbom "SPDX"`, "(--sbom)"}},
		{"sbom in Cargo.toml", []Settings{{}, {Source: pkg, SBOM: "spdx-2.3"}}, []string{`"spdx-2.3"`, "sbom in " + pkg, "cyclonedx"}},
		{"sbom in the krust config", []Settings{{}, {}, {}, {Source: user, SBOM: "syft"}}, []string{`"syft"`, "sbom in " + user}},
		{"--provenance unknown", []Settings{{Provenance: "max"}}, []string{`provenance "max"`, "(--provenance)", "slsa", "none"}},
		{"provenance in the workspace", []Settings{{}, {}, {Source: "/w/Cargo.toml [workspace.metadata.krust]", Provenance: "true"}},
			[]string{`"true"`, "provenance in /w/Cargo.toml [workspace.metadata.krust]", "slsa"}},
		{"every problem at once", []Settings{{Ports: []string{"abc"}, Workdir: "rel"}}, []string{`"abc"`, `"rel"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Settle(layered(tt.layers...))
			if !errors.Is(err, ErrInvalidSetting) {
				t.Fatalf("Settle = %v, want ErrInvalidSetting", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestSettleAcceptsGoodValues(t *testing.T) {
	s, err := Settle(layered(
		Settings{Ports: []string{"1", "8080", "53/udp", "65535/tcp", "9/sctp"}, Env: map[string]string{"A": "x=y", "LINES": "a\nb"}},
		// A bad value hidden by a higher source is never used: not an error.
		Settings{Source: "Cargo.toml", Ports: []string{"abc"}, Workdir: "/srv", CargoArgs: []string{"--target-dir", "t", "--locked"}, SBOM: "none", Provenance: "none"},
		Settings{Source: "config.toml", SBOM: "bogus", Provenance: "bogus"},
	))
	if err != nil {
		t.Fatal(err)
	}
	if s.ImageConfig.WorkingDir != "/srv" || len(s.ImageConfig.Ports) != 5 || s.SBOM != attest.None || s.Provenance != attest.None {
		t.Errorf("Settle = %+v", s)
	}
}

func TestSourceDateEpoch(t *testing.T) {
	tests := []struct {
		value   string
		want    int64
		stamp   bool
		wantErr bool
	}{
		{"", 0, false, false},
		{"0", 0, true, false},
		{"1700000000", 1700000000, true, false},
		{"253402300799", 253402300799, true, false},
		{"253402300800", 0, false, true},
		{"99999999999999", 0, false, true},
		{"-5", 0, false, true},
		{"1.5", 0, false, true},
		{"soon", 0, false, true},
		{" 17", 0, false, true},
	}
	for _, tt := range tests {
		r, err := Settle(Sources{Getenv: func(k string) string { return map[string]string{"SOURCE_DATE_EPOCH": tt.value}[k] }})
		got, stamp := r.Created, r.StampCreated
		if tt.wantErr {
			if !errors.Is(err, ErrInvalidSetting) || !strings.Contains(err.Error(), "SOURCE_DATE_EPOCH") || !strings.Contains(err.Error(), "253402300799") {
				t.Errorf("SOURCE_DATE_EPOCH=%q: error %v, want one naming the variable and the range", tt.value, err)
			}
			continue
		}
		if err != nil || got.Unix() != tt.want || stamp != tt.stamp {
			t.Errorf("SOURCE_DATE_EPOCH=%q: created %v, %v, %v", tt.value, got, stamp, err)
		}
		if _, err := got.MarshalJSON(); err != nil {
			t.Errorf("SOURCE_DATE_EPOCH=%q gives a time JSON cannot hold: %v", tt.value, err)
		}
	}
}

// The files' settings carry their source, so that Settle can name it.
func TestSettleNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	manifest := filepath.Join(dir, "Cargo.toml")
	if err := os.WriteFile(manifest, []byte("[package]\nname = \"a\"\n[package.metadata.krust]\nports = [70000]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pkg, ws, err := CargoSettings(manifest, manifest, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	userPath := filepath.Join(dir, "config.toml")
	cfg := &Config{ImageKeys: ImageKeys{Workdir: "rel"}, Build: Build{CargoArgs: []string{"--target", "x"}}}
	user, err := cfg.Settings(userPath)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Settle(Sources{Package: pkg, Workspace: ws, User: user})
	for _, w := range []string{`ports "70000" (ports in ` + manifest + " [package.metadata.krust])",
		`workdir "rel" (workdir in ` + userPath + ")", `"--target" (build.cargo_args in ` + userPath + ")"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v lacks %q", err, w)
		}
	}
}

// A value refused for breaking a rule is quoted without the user
// information or secret value it holds.
func TestInvalidSettingsQuoteNoSecret(t *testing.T) {
	tests := []struct {
		name  string
		layer Settings
	}{
		{"repo", Settings{Repo: "https://u:p=SECRET@ghcr.io/me"}},
		{"image", Settings{Name: "user:SECRET@ghcr.io/me/app"}},
		{"base", Settings{BaseImage: "u:p w/SECRET@ghcr.io/x:1"}},
		{"env value", Settings{Env: map[string]string{"TOKEN": "SECRET\x00"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Settle(layered(tt.layer))
			if err == nil {
				t.Fatal("Settle accepted it")
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error quotes the secret: %v", err)
			}
		})
	}
}
