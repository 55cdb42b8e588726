package config_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/oci"
)

// settleKey is one setting: the sources that give it, highest first (a
// layer, "flag", "package", "workspace" or "user", or an environment
// variable), how a layer sets it, and where it ends up in Settled.
type settleKey struct {
	name  string
	from  []string
	set   func(s *config.Settings, v string)
	get   func(r config.Settled) string
	deflt string
	// in is a valid value for a source; out is what Settled then holds
	// (nil: in's value).
	in, out func(source string) string
}

func settleKeys() []settleKey {
	layers := []string{"flag", "package", "workspace", "user"}
	plain := func(source string) string { return strings.ToLower(source) }
	join := func(list []string) string { return strings.Join(list, ",") }
	pick := func(m map[string]string) func(string) string { return func(s string) string { return m[s] } }
	return []settleKey{
		{name: "name", from: []string{"flag", "KRUST_IMAGE"}, set: func(s *config.Settings, v string) { s.Name = v },
			get: func(r config.Settled) string { return r.Name }, in: plain},
		{name: "repo", from: []string{"flag", "KRUST_REPO", "user"}, set: func(s *config.Settings, v string) { s.Repo = v },
			get: func(r config.Settled) string { return r.Repo }, in: plain},
		{name: "base-image", from: layers, set: func(s *config.Settings, v string) { s.BaseImage = v },
			get: func(r config.Settled) string { return r.Base }, deflt: config.DefaultBase, in: plain},
		{name: "platforms", from: layers, set: func(s *config.Settings, v string) { s.Platforms = strings.Split(v, ",") },
			get: func(r config.Settled) string {
				var names []string
				for _, p := range r.Platforms {
					names = append(names, oci.PlatformString(p))
				}
				return fmt.Sprint(join(names), r.AllPlatforms)
			},
			deflt: "linux/amd64false",
			in:    pick(map[string]string{"flag": "linux/arm64", "package": "linux/arm/v7", "workspace": "linux/amd64,linux/arm64", "user": "all"}),
			out:   pick(map[string]string{"flag": "linux/arm64false", "package": "linux/arm/v7false", "workspace": "linux/amd64,linux/arm64false", "user": "true"})},
		{name: "libc", from: layers, set: func(s *config.Settings, v string) { s.Libc = v },
			get: func(r config.Settled) string { return string(r.Libc) }, deflt: "musl",
			in: pick(map[string]string{"flag": "glibc", "package": "musl", "workspace": "glibc", "user": "musl"})},
		{name: "compression", from: layers, set: func(s *config.Settings, v string) { s.Compression = v },
			get: func(r config.Settled) string { return string(r.Compression) }, deflt: "gzip",
			in: pick(map[string]string{"flag": "zstd", "package": "gzip", "workspace": "zstd", "user": "gzip"})},
		{name: "bin", from: layers, set: func(s *config.Settings, v string) { s.Bin = v },
			get: func(r config.Settled) string { return strings.Join(r.Bins, ",") }, in: plain},
		{name: "profile", from: layers, set: func(s *config.Settings, v string) { s.Profile = v },
			get: func(r config.Settled) string { return r.Profile }, deflt: "release", in: plain},
		{name: "cargo", from: layers, set: func(s *config.Settings, v string) { s.Cargo = v },
			get: func(r config.Settled) string { return r.Cargo }, in: plain},
		{name: "cargo-args", from: layers[1:], set: func(s *config.Settings, v string) { s.CargoArgs = []string{"--from-" + v} },
			get: func(r config.Settled) string { return join(r.CargoArgs) }, in: plain, out: func(s string) string { return "--from-" + s }},
		{name: "args", from: layers, set: func(s *config.Settings, v string) { s.Args = []string{v} },
			get: func(r config.Settled) string { return join(r.ImageConfig.Cmd) }, in: plain},
		{name: "env", from: layers, set: func(s *config.Settings, v string) { s.Env = map[string]string{"K": v} },
			get: func(r config.Settled) string { return r.ImageConfig.Env["K"] }, in: plain},
		{name: "user", from: layers, set: func(s *config.Settings, v string) { s.User = v },
			get: func(r config.Settled) string { return r.ImageConfig.User }, in: plain},
		{name: "workdir", from: layers, set: func(s *config.Settings, v string) { s.Workdir = v },
			get: func(r config.Settled) string { return r.ImageConfig.WorkingDir }, in: func(s string) string { return "/" + s }},
		{name: "ports", from: layers, set: func(s *config.Settings, v string) { s.Ports = []string{v} },
			get: func(r config.Settled) string { return join(r.ImageConfig.Ports) },
			in:  pick(map[string]string{"flag": "8080", "package": "53/udp", "workspace": "9000/tcp", "user": "132/sctp"})},
		{name: "labels", from: layers, set: func(s *config.Settings, v string) { s.Labels = map[string]string{"L": v} },
			get: func(r config.Settled) string { return r.ImageConfig.Labels["L"] }, in: plain},
		{name: "annotations", from: layers, set: func(s *config.Settings, v string) { s.Annotations = map[string]string{"A": v} },
			get: func(r config.Settled) string { return r.Annotations["A"] }, in: plain},
		{name: "tags", from: layers, set: func(s *config.Settings, v string) { s.Tags = []string{v} },
			get: func(r config.Settled) string { return join(r.Tags) }, deflt: "latest", in: plain},
		{name: "sbom", from: layers, set: func(s *config.Settings, v string) { s.SBOM = v },
			get: func(r config.Settled) string { return string(r.SBOM) }, deflt: "spdx",
			in: pick(map[string]string{"flag": "cyclonedx", "package": "none", "workspace": "spdx", "user": "cyclonedx"})},
		{name: "provenance", from: layers, set: func(s *config.Settings, v string) { s.Provenance = v },
			get: func(r config.Settled) string { return string(r.Provenance) }, deflt: "slsa",
			in: pick(map[string]string{"flag": "none", "package": "slsa", "workspace": "none", "user": "none"})},
		{name: "created", from: []string{"SOURCE_DATE_EPOCH"},
			get:   func(r config.Settled) string { return fmt.Sprint(r.Created.Unix(), r.StampCreated) },
			deflt: "0 false", in: func(string) string { return "1700000000" }, out: func(string) string { return "1700000000 true" }},
		{name: "cargo-home", from: []string{"CARGO_HOME", "HOME"},
			get: func(r config.Settled) string { return r.CargoHome },
			in:  pick(map[string]string{"CARGO_HOME": "/cargo", "HOME": "/home/u"}),
			out: pick(map[string]string{"CARGO_HOME": "/cargo", "HOME": "/home/u/.cargo"})},
	}
}

// sourcesFrom gives key's value from each of sources.
func sourcesFrom(key settleKey, sources []string) config.Sources {
	var src config.Sources
	env := map[string]string{}
	for _, name := range sources {
		layer := map[string]*config.Settings{"flag": &src.Flags, "package": &src.Package, "workspace": &src.Workspace, "user": &src.User}[name]
		if layer == nil {
			env[name] = key.in(name)
			continue
		}
		key.set(layer, key.in(name))
	}
	src.Getenv = func(k string) string { return env[k] }
	return src
}

// For every setting, each case leaves out the sources above one: that one
// wins over all those below it; with none left, the default does.
func TestSettlePrecedenceForEveryKey(t *testing.T) {
	for _, key := range settleKeys() {
		for first := 0; first <= len(key.from); first++ {
			want, winner := key.deflt, "default"
			if first < len(key.from) {
				winner = key.from[first]
				want = key.in(winner)
				if key.out != nil {
					want = key.out(winner)
				}
			}
			t.Run(key.name+" from "+winner, func(t *testing.T) {
				r, err := config.Settle(sourcesFrom(key, key.from[first:]))
				if err != nil {
					t.Fatal(err)
				}
				if got := key.get(r); got != want {
					t.Errorf("%s = %q, want %q", key.name, got, want)
				}
			})
		}
	}
}

// The zero Sources gives the defaults and nothing else.
func TestSettleDefaults(t *testing.T) {
	r, err := config.Settle(config.Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Base != config.DefaultBase || len(r.Platforms) != 1 || oci.PlatformString(r.Platforms[0]) != config.DefaultPlatform || r.AllPlatforms ||
		r.Libc != "musl" || r.Compression != oci.Gzip || r.Profile != "release" || !slices.Equal(r.Tags, []string{config.DefaultTag}) ||
		r.Name != "" || r.Repo != "" || r.Bins != nil || r.Entrypoint != "" || r.Cargo != "" || r.CargoArgs != nil || r.CargoHome != "" ||
		r.Created.Unix() != 0 || r.StampCreated || r.ImageConfig.Env != nil || r.Annotations != nil ||
		r.SBOM != attest.SPDX || r.Provenance != attest.SLSA {
		t.Errorf("Settle(Sources{}) = %+v", r)
	}
}

// The command line's cargo arguments follow the files' (and lose their
// profile options to Profile); maps merge key by key down all the layers.
func TestSettleCombinesCargoArgsAndMaps(t *testing.T) {
	r, err := config.Settle(config.Sources{
		Flags:     config.Settings{Labels: map[string]string{"a": "flag"}},
		CargoArgs: []string{"--profile", "dist", "-v"},
		Package:   config.Settings{Labels: map[string]string{"a": "package", "b": "package"}, CargoArgs: []string{"--locked", "--release"}},
		Workspace: config.Settings{Labels: map[string]string{"c": "workspace"}},
		User:      config.Settings{Labels: map[string]string{"b": "user", "d": "user"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Profile != "dist" || !slices.Equal(r.CargoArgs, []string{"--locked", "-v"}) {
		t.Errorf("profile %q cargo args %q", r.Profile, r.CargoArgs)
	}
	if want := map[string]string{"a": "flag", "b": "package", "c": "workspace", "d": "user"}; !maps.Equal(r.ImageConfig.Labels, want) {
		t.Errorf("labels %v, want %v", r.ImageConfig.Labels, want)
	}
}

// userSettings returns cfg's settings as the krust config /u/config.toml.
func userSettings(t *testing.T, cfg *config.Config) config.Settings {
	t.Helper()
	s, err := cfg.Settings("/u/config.toml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every source's values reach the checks, the environment included.
func TestSettleChecksEverySource(t *testing.T) {
	tests := []struct {
		name string
		src  config.Sources
		want string
	}{
		{"flag port", config.Sources{Flags: config.Settings{Keys: map[string]string{"ports": "--port"}, Ports: []string{"abc"}}}, `ports "abc" (--port)`},
		{"package workdir", config.Sources{Package: config.Settings{Source: "Cargo.toml [package.metadata.krust]", Workdir: "rel"}}, "workdir in Cargo.toml [package.metadata.krust]"},
		{"workspace env", config.Sources{Workspace: config.Settings{Source: "ws", Env: map[string]string{"A=B": "1"}}}, "env in ws"},
		{"user cargo args", config.Sources{User: userSettings(t, &config.Config{Build: config.Build{CargoArgs: []string{"--target=x"}}})}, "build.cargo_args in /u/config.toml"},
		{"command-line cargo args", config.Sources{Flags: config.Settings{Keys: map[string]string{"cargo-args": "arguments after --"}}, CargoArgs: []string{"--target", "x"}},
			`"--target" (arguments after --)`},
		{"flag compression", config.Sources{Flags: config.Settings{Keys: map[string]string{"compression": "--compression"}, Compression: "lz4"}}, `compression "lz4" (--compression): want gzip`},
		{"package compression", config.Sources{Package: config.Settings{Source: "Cargo.toml [package.metadata.krust]", Compression: "GZIP"}, User: config.Settings{Compression: "zstd"}},
			"compression in Cargo.toml [package.metadata.krust]"},
		{"environment", config.Sources{Getenv: func(k string) string { return map[string]string{"SOURCE_DATE_EPOCH": "soon"}[k] }}, `SOURCE_DATE_EPOCH="soon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Settle(tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Settle error %v, want one with %q", err, tt.want)
			}
		})
	}
}
