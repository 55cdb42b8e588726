package main

import (
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/spf13/cobra"
)

func testEnv(vars map[string]string) *environment {
	return &environment{
		stdout: io.Discard, stderr: io.Discard,
		getenv:  func(k string) string { return vars[k] },
		environ: func() []string { return nil },
	}
}

// parse runs the flag parser on args and returns options from layers:
// Cargo.toml's package and workspace tables and the krust config (or cfg's
// settings, when given), in that order.
func parse(t *testing.T, env map[string]string, cfg *config.Config, args []string, layers ...config.Settings) (builder.Request, config.Settled, error) {
	t.Helper()
	var f buildFlags
	cmd := &cobra.Command{}
	f.register(cmd.Flags())
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	layers = append(layers, make([]config.Settings, 3)...)
	files := config.Sources{Package: layers[0], Workspace: layers[1], User: layers[2]}
	if cfg != nil {
		var err error
		if files.User, err = cfg.Settings("/u/config.toml"); err != nil {
			t.Fatal(err)
		}
	}
	dir, cargoArgs, err := projectDir(cmd, cmd.Flags().Args())
	if err != nil {
		return builder.Request{}, config.Settled{}, err
	}
	return f.request(testEnv(env), cmd, dir, cargoArgs, files)
}

// settingKey is one setting, how each source gives it, and where it ends.
type settingKey struct {
	name    string
	flag    func(v string) []string
	set     func(s *config.Settings, v string)
	get     func(o builder.Request, r config.Settled) string
	deflt   string
	valueOf func(source string) string // a valid value for that source
}

func settingKeys() []settingKey {
	plain := func(source string) string { return source }
	absolute := func(source string) string { return "/" + source }
	port := func(source string) string {
		return map[string]string{"flag": "8080", "package": "53/udp", "workspace": "9000/tcp", "user": "132/sctp"}[source]
	}
	platform := func(source string) string {
		return map[string]string{"flag": "linux/arm64", "package": "linux/arm/v7", "workspace": "linux/amd64,linux/arm64", "user": "linux/arm64,linux/arm/v7"}[source]
	}
	libc := func(source string) string {
		return map[string]string{"flag": "glibc", "package": "musl", "workspace": "glibc", "user": "musl"}[source]
	}
	sbom := func(source string) string {
		return map[string]string{"flag": "none", "package": "cyclonedx", "workspace": "none", "user": "cyclonedx"}[source]
	}
	provenance := func(source string) string {
		return map[string]string{"flag": "none", "package": "slsa", "workspace": "none", "user": "none"}[source]
	}
	platformsOf := func(o builder.Request, _ config.Settled) string {
		var names []string
		for _, p := range o.Platforms {
			names = append(names, oci.PlatformString(p))
		}
		return strings.Join(names, ",")
	}
	return []settingKey{
		{"base-image", func(v string) []string { return []string{"--base", v} }, func(s *config.Settings, v string) { s.BaseImage = v },
			func(o builder.Request, _ config.Settled) string { return o.Base }, config.DefaultBase, plain},
		{"platforms", func(v string) []string { return []string{"--platform", v} }, func(s *config.Settings, v string) { s.Platforms = strings.Split(v, ",") },
			platformsOf, "linux/amd64", platform},
		{"libc", func(v string) []string { return []string{"--libc", v} }, func(s *config.Settings, v string) { s.Libc = v },
			func(o builder.Request, _ config.Settled) string { return string(o.Libc) }, "musl", libc},
		{"bin", func(v string) []string { return []string{"--bin", v} }, func(s *config.Settings, v string) { s.Bin = v },
			func(o builder.Request, _ config.Settled) string { return strings.Join(o.Bins, ",") }, "", plain},
		{"entrypoint", func(v string) []string { return []string{"--bin", v, "--entrypoint", v} }, func(s *config.Settings, v string) { s.Bin, s.Entrypoint = v, v },
			func(o builder.Request, _ config.Settled) string { return o.Entrypoint }, "", plain},
		{"profile", func(v string) []string { return []string{"--profile", v} }, func(s *config.Settings, v string) { s.Profile = v },
			func(o builder.Request, _ config.Settled) string { return o.Profile }, "release", plain},
		{"cargo", func(v string) []string { return []string{"--cargo", v} }, func(s *config.Settings, v string) { s.Cargo = v },
			func(_ builder.Request, r config.Settled) string { return r.Cargo }, "", plain},
		{"args", func(v string) []string { return []string{"--arg", v} }, func(s *config.Settings, v string) { s.Args = []string{v} },
			func(o builder.Request, _ config.Settled) string { return strings.Join(o.ImageConfig.Cmd, " ") }, "", plain},
		{"env", func(v string) []string { return []string{"--env", "K=" + v} }, func(s *config.Settings, v string) { s.Env = map[string]string{"K": v} },
			func(o builder.Request, _ config.Settled) string { return o.ImageConfig.Env["K"] }, "", plain},
		{"user", func(v string) []string { return []string{"--user", v} }, func(s *config.Settings, v string) { s.User = v },
			func(o builder.Request, _ config.Settled) string { return o.ImageConfig.User }, "", plain},
		{"workdir", func(v string) []string { return []string{"--workdir", v} }, func(s *config.Settings, v string) { s.Workdir = v },
			func(o builder.Request, _ config.Settled) string { return o.ImageConfig.WorkingDir }, "", absolute},
		{"ports", func(v string) []string { return []string{"--port", v} }, func(s *config.Settings, v string) { s.Ports = []string{v} },
			func(o builder.Request, _ config.Settled) string { return strings.Join(o.ImageConfig.Ports, ",") }, "", port},
		{"labels", func(v string) []string { return []string{"--label", "L=" + v} }, func(s *config.Settings, v string) { s.Labels = map[string]string{"L": v} },
			func(o builder.Request, _ config.Settled) string { return o.ImageConfig.Labels["L"] }, "", plain},
		{"annotations", func(v string) []string { return []string{"--annotation", "A=" + v} }, func(s *config.Settings, v string) { s.Annotations = map[string]string{"A": v} },
			func(o builder.Request, _ config.Settled) string { return o.Annotations["A"] }, "", plain},
		{"tags", func(v string) []string { return []string{"--tag", v} }, func(s *config.Settings, v string) { s.Tags = []string{v} },
			func(o builder.Request, _ config.Settled) string { return strings.Join(o.Tags, ",") }, "latest", plain},
		{"sbom", func(v string) []string { return []string{"--sbom", v} }, func(s *config.Settings, v string) { s.SBOM = v },
			func(_ builder.Request, r config.Settled) string { return string(r.SBOM) }, "spdx", sbom},
		{"provenance", func(v string) []string { return []string{"--provenance", v} }, func(s *config.Settings, v string) { s.Provenance = v },
			func(_ builder.Request, r config.Settled) string { return string(r.Provenance) }, "slsa", provenance},
		{"cargo-args", nil, func(s *config.Settings, v string) { s.CargoArgs = []string{"--from-" + v} },
			func(o builder.Request, _ config.Settled) string {
				return strings.TrimPrefix(strings.Join(o.CargoArgs, " "), "--from-")
			}, "", plain},
	}
}

func TestSettingsPrecedenceForEveryKey(t *testing.T) {
	sources := []string{"flag", "package", "workspace", "user"}
	for _, key := range settingKeys() {
		// Each case leaves out the sources above it: the first one left wins.
		for first := 0; first <= len(sources); first++ {
			want := key.deflt
			if first < len(sources) {
				want = key.valueOf(sources[first])
			}
			if key.flag == nil && first == 0 {
				continue // no flag for this key
			}
			name := key.name + " from " + append(sources, "default")[first]
			t.Run(name, func(t *testing.T) {
				var args []string
				layers := make([]config.Settings, 3)
				for i, src := range sources[first:] {
					v := key.valueOf(src)
					if src == "flag" {
						args = key.flag(v)
						continue
					}
					key.set(&layers[first+i-1], v)
				}
				opts, s, err := parse(t, nil, nil, args, layers...)
				if err != nil {
					t.Fatal(err)
				}
				if got := key.get(opts, s); got != want {
					t.Errorf("%s = %q, want %q", key.name, got, want)
				}
			})
		}
	}
}

func TestMapsMergeAcrossSources(t *testing.T) {
	opts, _, err := parse(t, nil, nil, []string{"--env", "A=flag"},
		config.Settings{Env: map[string]string{"A": "package", "B": "package"}},
		config.Settings{Env: map[string]string{"C": "workspace"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "flag", "B": "package", "C": "workspace"}
	for k, v := range want {
		if opts.ImageConfig.Env[k] != v {
			t.Errorf("env %v, want %v", opts.ImageConfig.Env, want)
		}
	}
}

func TestBuildOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		cfg     *config.Config
		check   func(t *testing.T, o builder.Request)
		wantErr string
	}{
		{name: "defaults", check: func(t *testing.T, o builder.Request) {
			if abs, _ := filepath.Abs("."); o.Dir != abs || o.CargoArgs != nil || o.Name != "" || o.Repo != "" || o.Created.Unix() != 0 || o.StampCreated {
				t.Errorf("options %+v", o)
			}
		}},
		{name: "directory and cargo args", args: []string{"proj", "--", "--features", "x", "--locked"}, check: func(t *testing.T, o builder.Request) {
			if !filepath.IsAbs(o.Dir) || filepath.Base(o.Dir) != "proj" || !slices.Equal(o.CargoArgs, []string{"--features", "x", "--locked"}) {
				t.Errorf("dir %s cargo args %v", o.Dir, o.CargoArgs)
			}
		}},
		{name: "environment names the image", env: map[string]string{"KRUST_IMAGE": "r.example/app", "KRUST_REPO": "r.example/team"}, check: func(t *testing.T, o builder.Request) {
			if o.Name != "r.example/app" || o.Repo != "r.example/team" {
				t.Errorf("image %q repo %q", o.Name, o.Repo)
			}
		}},
		{name: "flags beat environment", args: []string{"-i", "flag.example/app", "--repo", "flag.example"}, env: map[string]string{"KRUST_IMAGE": "env/app", "KRUST_REPO": "env"}, check: func(t *testing.T, o builder.Request) {
			if o.Name != "flag.example/app" || o.Repo != "flag.example" {
				t.Errorf("image %q repo %q", o.Name, o.Repo)
			}
		}},
		{name: "config default_registry is the last resort", cfg: &config.Config{DefaultRegistry: "cfg.example"}, check: func(t *testing.T, o builder.Request) {
			if o.Repo != "cfg.example" {
				t.Errorf("repo %q", o.Repo)
			}
		}},
		{name: "KRUST_REPO beats default_registry", env: map[string]string{"KRUST_REPO": "env.example"}, cfg: &config.Config{DefaultRegistry: "cfg.example"}, check: func(t *testing.T, o builder.Request) {
			if o.Repo != "env.example" {
				t.Errorf("repo %q", o.Repo)
			}
		}},
		{name: "SOURCE_DATE_EPOCH", env: map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}, check: func(t *testing.T, o builder.Request) {
			if o.Created.Unix() != 1700000000 || !o.StampCreated {
				t.Errorf("created %v stamp %v", o.Created, o.StampCreated)
			}
		}},
		{name: "platform all", args: []string{"--platform", "all"}, check: func(t *testing.T, o builder.Request) {
			if !o.AllPlatforms || o.Platforms != nil {
				t.Errorf("all %v platforms %v", o.AllPlatforms, o.Platforms)
			}
		}},
		{name: "bad SOURCE_DATE_EPOCH", env: map[string]string{"SOURCE_DATE_EPOCH": "-5"}, wantErr: "SOURCE_DATE_EPOCH"},
		{name: "two directories", args: []string{"a", "b"}, wantErr: "one project directory"},
		{name: "bad platform", args: []string{"--platform", "linux"}, wantErr: "platforms"},
		{name: "platform twice", args: []string{"--platform", "linux/arm64,linux/arm64/v8"}, wantErr: "listed twice"},
		{name: "bad libc", args: []string{"--libc", "bionic"}, wantErr: "--libc"},
		{name: "bad --env", args: []string{"--env", "NOVALUE"}, wantErr: "KEY=VALUE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, _, err := parse(t, tt.env, tt.cfg, tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, opts)
		})
	}
}

func TestIsPlugin(t *testing.T) {
	tests := []struct {
		argv0 string
		want  bool
	}{
		{"/usr/libexec/docker/cli-plugins/docker-krust", true},
		{"docker-krust", true},
		{"/usr/local/bin/krust", false},
		{"./krust", false},
	}
	for _, tt := range tests {
		t.Setenv("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND", "")
		if got := isPlugin([]string{tt.argv0}); got != tt.want {
			t.Errorf("isPlugin(%q) = %v, want %v", tt.argv0, got, tt.want)
		}
	}
}
