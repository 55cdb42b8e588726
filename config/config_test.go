package config_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/config"
)

// env returns a getenv over a fixed map.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestPath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home) // for the os.UserHomeDir fallback

	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{
			name: "XDG_CONFIG_HOME set",
			env:  map[string]string{"XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u"},
			want: "/xdg/krust/config.toml",
		},
		{
			name: "XDG_CONFIG_HOME unset",
			env:  map[string]string{"HOME": "/home/u"},
			want: "/home/u/.config/krust/config.toml",
		},
		{
			name: "XDG_CONFIG_HOME empty",
			env:  map[string]string{"XDG_CONFIG_HOME": "", "HOME": "/home/u"},
			want: "/home/u/.config/krust/config.toml",
		},
		{
			name: "neither set falls back to the user's home directory",
			env:  map[string]string{},
			want: filepath.Join(home, ".config", "krust", "config.toml"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.Path(env(tt.env))
			if err != nil {
				t.Fatalf("Path: %v", err)
			}
			if got != tt.want {
				t.Errorf("Path = %q, want %q", got, tt.want)
			}
		})
	}
}

// writeConfig writes content to a config.toml in a fresh directory with
// the given mode (chmod'ed explicitly, so the umask does not matter).
func writeConfig(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

const fullConfig = `# docker-krust configuration
base_image = "gcr.io/distroless/static:nonroot"
default_registry = "registry.example.com/team"
insecure_registries = ["127.0.0.1:5000", "localhost:5001"]
profile = "dist"
compression = "zstd"
sbom = "cyclonedx"
provenance = false

[build]
cargo_args = ["--features", "metrics", "--locked"]

[registries."127.0.0.1:5000"]
username = "alice"
password = "s3cret"

[registries."ghcr.io"]
username = "bob"
`

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		content string // "" with missing: no file at all
		missing bool
		mode    os.FileMode
		want    *config.Config
		// warnings are the lines expected on warn; each line must contain
		// the file's path and every string in its entry.
		warnings [][]string
	}{
		{
			name:    "missing file is an empty config",
			missing: true,
			want:    &config.Config{},
		},
		{
			name:    "empty file is an empty config",
			content: "",
			mode:    0o600,
			want:    &config.Config{},
		},
		{
			name:    "every field is read",
			content: fullConfig,
			mode:    0o600,
			want: &config.Config{
				ImageKeys:          config.ImageKeys{Profile: "dist", Compression: "zstd", SBOM: "cyclonedx", Provenance: false},
				BaseImage:          "gcr.io/distroless/static:nonroot",
				DefaultRegistry:    "registry.example.com/team",
				InsecureRegistries: []string{"127.0.0.1:5000", "localhost:5001"},
				Build:              config.Build{CargoArgs: []string{"--features", "metrics", "--locked"}},
				Registries: map[string]config.Registry{
					"127.0.0.1:5000": {Username: "alice", Password: "s3cret"},
					"ghcr.io":        {Username: "bob"},
				},
			},
		},
		{
			name: "unknown keys warn one line each and known keys are still read",
			content: `base_image = "scratch"
colour = "blue"

[build]
cargo_args = ["--locked"]
jobs = 4

[registries."x"]
username = "u"
token = "y"
`,
			mode: 0o600,
			want: &config.Config{
				BaseImage:  "scratch",
				Build:      config.Build{CargoArgs: []string{"--locked"}},
				Registries: map[string]config.Registry{"x": {Username: "u"}},
			},
			warnings: [][]string{
				{"unknown key", `"build.jobs"`},
				{"unknown key", `"colour"`},
				{"unknown key", `"registries.x.token"`},
			},
		},
		{
			name: "unknown table warns",
			content: `[cache]
dir = "/tmp"
`,
			mode:     0o644,
			want:     &config.Config{},
			warnings: [][]string{{"unknown key", "cache"}},
		},
		{
			name: "password in a file readable by others warns",
			content: `[registries."r.example"]
password = "p"
`,
			mode: 0o644,
			want: &config.Config{Registries: map[string]config.Registry{
				"r.example": {Password: "p"},
			}},
			warnings: [][]string{{"chmod 600", "0644"}},
		},
		{
			name: "password in a group-readable file warns",
			content: `[registries."r.example"]
username = "u"
password = "p"
`,
			mode: 0o640,
			want: &config.Config{Registries: map[string]config.Registry{
				"r.example": {Username: "u", Password: "p"},
			}},
			warnings: [][]string{{"chmod 600", "0640"}},
		},
		{
			name: "password in a private file does not warn",
			content: `[registries."r.example"]
username = "u"
password = "p"
`,
			mode: 0o600,
			want: &config.Config{Registries: map[string]config.Registry{
				"r.example": {Username: "u", Password: "p"},
			}},
		},
		{
			name: "no password in a file readable by others does not warn",
			content: `base_image = "scratch"
[registries."r.example"]
username = "u"
`,
			mode: 0o644,
			want: &config.Config{
				BaseImage:  "scratch",
				Registries: map[string]config.Registry{"r.example": {Username: "u"}},
			},
		},
		{
			name: "unknown key and shared password both warn",
			content: `[registries."r.example"]
password = "p"
token = "t"
`,
			mode: 0o604,
			want: &config.Config{Registries: map[string]config.Registry{
				"r.example": {Password: "p"},
			}},
			warnings: [][]string{
				{"unknown key", `"registries.r.example.token"`},
				{"chmod 600"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var path string
			if tt.missing {
				path = filepath.Join(t.TempDir(), "krust", "config.toml")
			} else {
				path = writeConfig(t, tt.content, tt.mode)
			}
			var warn bytes.Buffer
			got, err := config.Load(path, &warn)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got == nil {
				t.Fatal("Load returned a nil config")
			}
			if !equalConfig(got, tt.want) {
				t.Errorf("Load =\n%#v\nwant\n%#v", got, tt.want)
			}
			lines := warningLines(warn.String())
			if len(lines) != len(tt.warnings) {
				t.Fatalf("got %d warning lines, want %d:\n%s", len(lines), len(tt.warnings), warn.String())
			}
			for i, line := range lines {
				if !strings.Contains(line, path) {
					t.Errorf("warning %d %q does not name the file %s", i, line, path)
				}
				for _, s := range tt.warnings[i] {
					if !strings.Contains(line, s) {
						t.Errorf("warning %d %q does not contain %q", i, line, s)
					}
				}
			}
		})
	}
}

// equalConfig compares configs treating nil and empty slices and maps alike.
func equalConfig(a, b *config.Config) bool {
	norm := func(c config.Config) config.Config {
		if len(c.InsecureRegistries) == 0 {
			c.InsecureRegistries = nil
		}
		if len(c.Build.CargoArgs) == 0 {
			c.Build.CargoArgs = nil
		}
		if len(c.Registries) == 0 {
			c.Registries = nil
		}
		return c
	}
	return reflect.DeepEqual(norm(*a), norm(*b))
}

func warningLines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []string // substrings of the error besides the path
	}{
		{
			name: "unclosed string on line 3",
			content: `base_image = "scratch"
default_registry = "r.example"
insecure_registries = ["a, "b"]
`,
			want: []string{"line 3"},
		},
		{
			name: "unclosed basic string at end of line 3",
			content: `# comment

base_image = "scratch
`,
			want: []string{"line 3"},
		},
		{
			name: "duplicate key on line 2",
			content: `base_image = "a"
base_image = "b"
`,
			want: []string{"line 2"},
		},
		{
			name:    "base_image is an integer",
			content: "base_image = 5\n",
			want:    []string{"line 1: base_image: want a string, not an integer (5)"},
		},
		{
			name:    "insecure_registries is a string",
			content: "\n\ninsecure_registries = \"host\"\n",
			want:    []string{`line 3: insecure_registries: want an array of strings, not a string ("host"): write insecure_registries = ["host"]`},
		},
		{
			name:    "cargo_args is a string",
			content: "[build]\ncargo_args = \"--locked\"\n",
			want:    []string{`line 2: build.cargo_args: want an array of strings, not a string ("--locked"): write cargo_args = ["--locked"]`},
		},
		{
			name:    "registry entry is not a table",
			content: "[registries]\nx = 5\n",
			want:    []string{"line 2"},
		},
		{
			name:    "username is an integer",
			content: "[registries.\"x\"]\nusername = 5\n",
			want:    []string{`line 2: registries.x.username: want a string, not an integer (5)`},
		},
		{
			name:    "insecure_registries holds an integer",
			content: "insecure_registries = [\"a\", 5]\n",
			want:    []string{"line 1: insecure_registries[1]: want a string, not an integer (5)"},
		},
		{
			name:    "wrong type after an unknown key is still an error",
			content: "colour = 1\nbase_image = 5\n",
			want:    []string{"line 2: base_image: want a string"},
		},
		{
			name:    "build is not a table",
			content: "build = \"fast\"\n",
			want:    []string{"line 1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.content, 0o600)
			var warn bytes.Buffer
			got, err := config.Load(path, &warn)
			if err == nil {
				t.Fatalf("Load = %#v, want an error", got)
			}
			msg := err.Error()
			if !strings.Contains(msg, path) {
				t.Errorf("error %q does not name the file %s", msg, path)
			}
			for _, s := range tt.want {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not contain %q", msg, s)
				}
			}
			if warn.Len() != 0 {
				t.Errorf("unexpected warnings: %q", warn.String())
			}
		})
	}
}

func TestLoadUnreadable(t *testing.T) {
	dir := t.TempDir() // a directory is not a readable file
	cfg, err := config.Load(dir, &bytes.Buffer{})
	if err == nil {
		t.Fatalf("Load(directory) = %#v, want an error", cfg)
	}
}

func TestCredential(t *testing.T) {
	cfg := &config.Config{Registries: map[string]config.Registry{
		"full.example":     {Username: "u", Password: "p"},
		"user.example":     {Username: "u"},
		"password.example": {Password: "p"},
		"empty.example":    {},
	}}
	tests := []struct {
		host   string
		want   config.Registry
		wantOK bool
	}{
		{host: "full.example", want: config.Registry{Username: "u", Password: "p"}, wantOK: true},
		{host: "user.example", want: config.Registry{Username: "u"}, wantOK: true},
		{host: "password.example", want: config.Registry{Password: "p"}, wantOK: true},
		{host: "empty.example", wantOK: false},
		{host: "absent.example", wantOK: false},
		{host: "", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got, ok := cfg.Credential(tt.host)
			if ok != tt.wantOK {
				t.Errorf("Credential(%q) ok = %v, want %v", tt.host, ok, tt.wantOK)
			}
			if ok && got != tt.want {
				t.Errorf("Credential(%q) = %+v, want %+v", tt.host, got, tt.want)
			}
		})
	}

	t.Run("zero config", func(t *testing.T) {
		if _, ok := (&config.Config{}).Credential("full.example"); ok {
			t.Error("zero Config has a credential")
		}
	})
}

// TestInsecureHosts checks the matcher cmd gives remote, for hosts from the
// krust config's insecure_registries and from --insecure-registry alike.
func TestInsecureHosts(t *testing.T) {
	cfg := &config.Config{InsecureRegistries: []string{"127.0.0.1:5000", "My-Registry.Local:5001", "localhost"}}
	flags := []string{"Flag.Example:8443"}
	insecure := config.InsecureHosts(flags, cfg.InsecureRegistries)
	tests := []struct {
		host string
		want bool
	}{
		{"127.0.0.1:5000", true},
		{"my-registry.local:5001", true},
		{"MY-REGISTRY.LOCAL:5001", true},
		{"My-Registry.Local:5001", true},
		{"LocalHost", true},
		{"127.0.0.1:5001", false},
		{"127.0.0.1", false},
		{"my-registry.local", false},
		{"localhost:5000", false},
		{"docker.io", false},
		{"flag.example:8443", true},
		{"flag.example", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if got := insecure(tt.host); got != tt.want {
				t.Errorf("Insecure(%q) = %v, want %v", tt.host, got, tt.want)
			}
		})
	}
	if config.InsecureHosts()("127.0.0.1:5000") || config.InsecureHosts(nil, (&config.Config{}).InsecureRegistries)("") {
		t.Error("no lists give an insecure registry")
	}
	// The matcher keeps its own copy: a list changed later changes nothing.
	flags[0] = "changed:1"
	if !insecure("flag.example:8443") || insecure("changed:1") {
		t.Error("InsecureHosts follows changes to the lists it was given")
	}
}

// Host names are not case-sensitive: an entry filed under a host in
// another case serves it, and an exact entry wins.
func TestCredentialHostCase(t *testing.T) {
	cfg := &config.Config{Registries: map[string]config.Registry{
		"LOCALHOST:5000": {Username: "upper", Password: "u"},
		"r.example":      {Username: "exact", Password: "e"},
		"R.EXAMPLE":      {Username: "other", Password: "o"},
	}}
	tests := []struct {
		host string
		want string // "" for none
	}{
		{"localhost:5000", "upper"},
		{"Localhost:5000", "upper"},
		{"r.example", "exact"},
		{"localhost:5001", ""},
	}
	for _, tt := range tests {
		got, ok := cfg.Credential(tt.host)
		if ok != (tt.want != "") || got.Username != tt.want {
			t.Errorf("Credential(%q) = %+v, %v; want %q", tt.host, got, ok, tt.want)
		}
	}
}
