package scrub

import (
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

func TestConfig(t *testing.T) {
	tests := []struct{ in, want string }{
		// Build settings: written again as TOML, strings scrubbed.
		{"profile.release.lto=true", "profile.release.lto=true"},
		{"profile.release.opt-level = 3", "profile.release.opt-level=3"},
		{`profile.release.opt-level="s"`, `profile.release.opt-level="s"`},
		{`profile.dev.package."*".opt-level=2`, `profile.dev.package."*".opt-level=2`},
		{"profile.release={lto=true, codegen-units=1}", "profile.release={codegen-units=1, lto=true}"},
		{`build.rustflags=["-C","target-cpu=native"]`, `build.rustflags=["-C", "target-cpu=native"]`},
		{`build.rustflags="-L/home/alice/lib"`, `build.rustflags="-L<local>/lib"`},
		{`target.x86_64-unknown-linux-gnu.linker="/home/alice/bin/cc"`, `target.x86_64-unknown-linux-gnu.linker="<local>/cc"`},
		{`target.'cfg(target_os = "linux")'.rustflags=["--cfg","x"]`, `target."cfg(target_os = \"linux\")".rustflags=["--cfg", "x"]`},
		{"unstable.build-std=['std']", `unstable.build-std=["std"]`},
		{"build.jobs=2", "build.jobs=2"},
		{"net.offline=true", "net.offline=true"},
		{"profile.release.x=1.5", "profile.release.x=1.5"},
		{"profile.release.x=2.0", "profile.release.x=2.0"},
		// Anything else: the key, and Redacted.
		{`env.API_KEY="SECRET"`, "env.API_KEY=<redacted>"},
		{`env.API_KEY={value="SECRET", force=true}`, "env.API_KEY={force=<redacted>, value=<redacted>}"},
		{`http.proxy="http://u:p=SECRET@proxy:3128"`, "http.proxy=<redacted>"},
		{`registries.corp.token="SECRET"`, "registries.corp.token=<redacted>"},
		{`registries.corp={index="sparse+https://corp/", token="SECRET"}`, "registries.corp={index=<redacted>, token=<redacted>}"},
		{`registry.global-credential-providers=["cargo:token-from-stdout pass SECRET"]`, "registry.global-credential-providers=<redacted>"},
		{`source.corp.registry="https://SECRET@git.corp/index"`, "source.corp.registry=<redacted>"},
		{`target.x86_64-unknown-linux-gnu.runner="SECRET"`, "target.x86_64-unknown-linux-gnu.runner=<redacted>"},
		{`target={x86_64-unknown-linux-gnu={rustflags=["a"], runner="SECRET"}}`, `target.x86_64-unknown-linux-gnu={runner=<redacted>, rustflags=["a"]}`},
		{`patch.crates-io.foo.git="https://u:SECRET@h/x"`, "patch.crates-io.foo.git=<redacted>"},
		{`my.own.key="SECRET"`, "my.own.key=<redacted>"},
		{`build="SECRET"`, "build=<redacted>"},
		// Not TOML: the key if one can be read.
		{"env.API_KEY=SECRET", "env.API_KEY=<redacted>"},
		{"env.API_KEY = SECRET with spaces", "env.API_KEY=<redacted>"},
		{`target.'cfg(a = "b")'.runner=SECRET`, `target."cfg(a = \"b\")".runner=<redacted>`},
		{"=SECRET", "<redacted>"},
		{"not a key=SECRET", "<redacted>"},
		// A file.
		{"/home/alice/.cargo/ci.toml", "<local>/ci.toml"},
		{"ci.toml", "ci.toml"},
	}
	for _, tt := range tests {
		got := Config(tt.in)
		if got != tt.want {
			t.Errorf("Config(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
		if strings.Contains(got, "SECRET") || strings.Contains(ConfigForLog(tt.in), "SECRET") {
			t.Errorf("Config(%q) = %q: the secret is left", tt.in, got)
		}
	}
}

// TestConfigWritesTOML: what Config writes of an allowed setting is TOML
// that means what the input meant, its strings scrubbed.
func TestConfigWritesTOML(t *testing.T) {
	for _, in := range []string{
		`build.rustflags=["a\"b", "c\\d", "e\nf", "g\u0001h"]`,
		`profile.release={lto="fat", debug=false, opt-level=3, x=[1, 2], y={z="w"}}`,
		`target.'cfg(all(target_os = "linux", target_env = "gnu"))'.rustflags=["x"]`,
	} {
		var want, got map[string]any
		if err := toml.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		out := Config(in)
		if err := toml.Unmarshal([]byte(out), &got); err != nil {
			t.Errorf("Config(%q) = %q: not TOML: %v", in, out, err)
			continue
		}
		if a, b := fmtTOML(t, want), fmtTOML(t, got); a != b {
			t.Errorf("Config(%q) = %q means %s, want %s", in, out, b, a)
		}
	}
}

func fmtTOML(t *testing.T, v map[string]any) string {
	t.Helper()
	data, err := toml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
