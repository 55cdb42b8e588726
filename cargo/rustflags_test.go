package cargo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const gnu = "x86_64-unknown-linux-gnu"

// buildRustflags returns the environment and the rustflags arguments that
// buildCommand, the code every build runs, gives cargo for triple in dir
// with the user's args: those between --bin NAME and the user's own.
func buildRustflags(env []string, dir, triple string, args ...string) ([]string, []string, error) {
	// No cross linker is found, so none is added to the environment.
	c := Cargo{Env: env, LookPath: func(string) (string, error) { return "", exec.ErrNotFound }}
	cmd, err := c.buildCommand(context.Background(), BuildRequest{Dir: dir, Bins: []string{"app"}, Args: args}, []string{triple})
	if err != nil {
		return nil, nil, err
	}
	i := slices.Index(cmd.Args, "--bin")
	if i < 0 || cmd.Args[i+1] != "app" || !slices.Equal(cmd.Args[len(cmd.Args)-len(args):], args) {
		return nil, nil, fmt.Errorf("unexpected cargo command line %q", cmd.Args)
	}
	return cmd.Env, cmd.Args[i+2 : len(cmd.Args)-len(args)], nil
}

// TestStaticLinking checks how +crt-static joins the user's own rustflags
// from every place cargo takes them.
func TestStaticLinking(t *testing.T) {
	const (
		buildFlags  = "[build]\nrustflags = [\"-C\", \"opt-level=2\"]\n"
		staticOnly  = `target.x86_64-unknown-linux-gnu.rustflags=["-C","target-feature=+crt-static"]`
		withBuild   = `target.x86_64-unknown-linux-gnu.rustflags=["-C","opt-level=2","-C","target-feature=+crt-static"]`
		projConfig  = "proj/.cargo/config.toml"
		homeConfig  = "cargo-home/config.toml"
		rootConfig  = ".cargo/config.toml"
		encodedUser = "-C\x1fopt-level=2"
	)
	tests := []struct {
		name   string
		triple string
		env    []string
		files  map[string]string // relative to a temporary root; the project is proj/, CARGO_HOME is cargo-home/
		args   []string          // cargo's arguments from the user
		// wantEnv holds the flags each variable must carry afterwards:
		// RUSTFLAGS split on white space, CARGO_ENCODED_RUSTFLAGS on \x1f.
		// Other variables must be left as they were.
		wantEnv    map[string][]string
		wantArgs   []string
		wantErr    []string
		regression string // the bug this case once caught
	}{
		{
			name:     "RUSTFLAGS extended, user flags first",
			env:      []string{"RUSTFLAGS=-C opt-level=2  --cfg foo"},
			files:    map[string]string{projConfig: buildFlags},
			wantEnv:  map[string][]string{"RUSTFLAGS": {"-C", "opt-level=2", "--cfg", "foo", "-C", "target-feature=+crt-static"}},
			wantArgs: nil,
		},
		{
			name:     "RUSTFLAGS set twice, the last counts",
			env:      []string{"RUSTFLAGS=-C debuginfo=2", "RUSTFLAGS=-C opt-level=2"},
			wantEnv:  map[string][]string{"RUSTFLAGS": {"-C", "opt-level=2", "-C", "target-feature=+crt-static"}},
			wantArgs: nil,
		},
		{
			name:     "CARGO_ENCODED_RUSTFLAGS extended",
			env:      []string{"CARGO_ENCODED_RUSTFLAGS=" + encodedUser},
			wantEnv:  map[string][]string{"CARGO_ENCODED_RUSTFLAGS": {"-C", "opt-level=2", "-C", "target-feature=+crt-static"}},
			wantArgs: nil,
		},
		{
			name: "CARGO_ENCODED_RUSTFLAGS wins over RUSTFLAGS",
			env:  []string{"RUSTFLAGS=-C debuginfo=1", "CARGO_ENCODED_RUSTFLAGS=" + encodedUser},
			wantEnv: map[string][]string{
				"CARGO_ENCODED_RUSTFLAGS": {"-C", "opt-level=2", "-C", "target-feature=+crt-static"},
				"RUSTFLAGS":               {"-C", "debuginfo=1"},
			},
			wantArgs: nil,
		},
		{
			name:     "build.rustflags array carried into the target entry",
			files:    map[string]string{projConfig: buildFlags},
			wantArgs: []string{"--config", withBuild},
		},
		{
			name:     "build.rustflags string",
			files:    map[string]string{projConfig: "[build]\nrustflags = \"-C  opt-level=2\"\n"},
			wantArgs: []string{"--config", withBuild},
		},
		{
			name:     "legacy .cargo/config without extension",
			files:    map[string]string{"proj/.cargo/config": buildFlags},
			wantArgs: []string{"--config", withBuild},
		},
		{
			name:     "no config at all",
			wantArgs: []string{"--config", staticOnly},
		},
		{
			name:     "empty RUSTFLAGS-like variables elsewhere do not matter",
			env:      []string{"RUSTDOCFLAGS=-D warnings", "CARGO_BUILD_RUSTDOCFLAGS=x"},
			wantArgs: []string{"--config", staticOnly},
		},
		{
			name:     "target entry for the triple hides build.rustflags",
			files:    map[string]string{projConfig: buildFlags + "[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-C\", \"debuginfo=1\"]\n"},
			wantArgs: []string{"--config", staticOnly},
		},
		{
			name:     "target entry for the triple in CARGO_HOME hides build.rustflags",
			files:    map[string]string{projConfig: buildFlags, homeConfig: "[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-C\", \"debuginfo=1\"]\n"},
			wantArgs: []string{"--config", staticOnly},
		},
		{
			name:     "target entry for another triple does not",
			files:    map[string]string{projConfig: buildFlags + "[target.aarch64-unknown-linux-gnu]\nrustflags = [\"-C\", \"debuginfo=1\"]\n"},
			wantArgs: []string{"--config", withBuild},
		},
		{
			name:     "target entry without rustflags does not",
			files:    map[string]string{projConfig: buildFlags + "[target.x86_64-unknown-linux-gnu]\nlinker = \"clang\"\n"},
			wantArgs: []string{"--config", withBuild},
		},
		{
			name:     "matching cfg target entry hides build.rustflags",
			files:    map[string]string{projConfig: buildFlags + "[target.'cfg(unix)']\nrustflags = [\"-C\", \"debuginfo=1\"]\n"},
			wantArgs: []string{"--config", staticOnly},
		},
		{
			name:     "CARGO_BUILD_RUSTFLAGS without config files",
			env:      []string{"CARGO_BUILD_RUSTFLAGS=-C  opt-level=2"},
			wantArgs: []string{"--config", withBuild},
		},
		{
			name: "config files merged, CARGO_HOME first, project last",
			files: map[string]string{
				homeConfig: "[build]\nrustflags = [\"-C\", \"panic=abort\"]\n",
				rootConfig: "[build]\nrustflags = [\"-C\", \"codegen-units=4\"]\n",
				projConfig: "[build]\nrustflags = [\"-C\", \"debuginfo=1\"]\n",
			},
			wantArgs: []string{"--config", `target.x86_64-unknown-linux-gnu.rustflags=["-C","panic=abort","-C","codegen-units=4","-C","debuginfo=1","-C","target-feature=+crt-static"]`},
		},
		{
			name:     "musl triple",
			triple:   "x86_64-unknown-linux-musl",
			files:    map[string]string{projConfig: buildFlags + "[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-C\", \"debuginfo=1\"]\n"},
			wantArgs: []string{"--config", `target.x86_64-unknown-linux-musl.rustflags=["-C","opt-level=2","-C","target-feature=+crt-static"]`},
		},
		{
			name:     "flags needing TOML escapes",
			files:    map[string]string{projConfig: "[build]\nrustflags = ['--cfg', 'feature=\"x\"', '-L', 'C:\\lib']\n"},
			wantArgs: []string{"--config", `target.x86_64-unknown-linux-gnu.rustflags=["--cfg","feature=\"x\"","-L","C:\\lib","-C","target-feature=+crt-static"]`},
		},
		{
			name:    "malformed config",
			files:   map[string]string{projConfig: "[build\nrustflags = ["},
			wantErr: []string{"proj/.cargo/config.toml"},
		},
		{
			name:    "malformed config in CARGO_HOME",
			files:   map[string]string{homeConfig: "rustflags = = 1"},
			wantErr: []string{"cargo-home/config.toml"},
		},

		// Cargo takes RUSTFLAGS or CARGO_ENCODED_RUSTFLAGS when they are
		// set at all, even empty, and then ignores all config rustflags
		// (checked with cargo 1.95 -v).
		{
			name:    "empty RUSTFLAGS",
			env:     []string{"RUSTFLAGS="},
			files:   map[string]string{projConfig: buildFlags},
			wantEnv: map[string][]string{"RUSTFLAGS": {"-C", "target-feature=+crt-static"}},
			regression: "cargo/rustflags.go:30 only extends RUSTFLAGS when it is non-blank; cargo uses a set-but-empty RUSTFLAGS " +
				"and ignores --config target.<triple>.rustflags, so +crt-static is silently lost",
		},
		{
			name:    "blank RUSTFLAGS",
			env:     []string{"RUSTFLAGS=  "},
			wantEnv: map[string][]string{"RUSTFLAGS": {"-C", "target-feature=+crt-static"}},
			regression: "cargo/rustflags.go:30 treats a blank RUSTFLAGS as unset; cargo uses it (no flags) and ignores the " +
				"--config entry, so +crt-static is silently lost",
		},
		{
			name:    "empty CARGO_ENCODED_RUSTFLAGS",
			env:     []string{"CARGO_ENCODED_RUSTFLAGS="},
			wantEnv: map[string][]string{"CARGO_ENCODED_RUSTFLAGS": {"-C", "target-feature=+crt-static"}},
			regression: "cargo/rustflags.go:27 only extends CARGO_ENCODED_RUSTFLAGS when non-empty; cargo uses a set-but-empty " +
				"value and ignores config rustflags, so +crt-static is silently lost",
		},
		{
			name: "empty CARGO_ENCODED_RUSTFLAGS hides RUSTFLAGS",
			env:  []string{"CARGO_ENCODED_RUSTFLAGS=", "RUSTFLAGS=-C opt-level=2"},
			wantEnv: map[string][]string{
				"CARGO_ENCODED_RUSTFLAGS": {"-C", "target-feature=+crt-static"},
				"RUSTFLAGS":               {"-C", "opt-level=2"},
			},
			regression: "cargo/rustflags.go:27-31 appends to RUSTFLAGS although cargo reads the (empty) CARGO_ENCODED_RUSTFLAGS " +
				"first and ignores RUSTFLAGS, so +crt-static is silently lost",
		},
		// Cargo joins list values from config files and CARGO_* variables
		// (checked with cargo 1.95 -v: build.rustflags = ["-C","opt-level=2"]
		// plus CARGO_BUILD_RUSTFLAGS="-C debuginfo=1" gives both).
		{
			name:     "CARGO_BUILD_RUSTFLAGS joined after config build.rustflags",
			env:      []string{"CARGO_BUILD_RUSTFLAGS=-C debuginfo=1"},
			files:    map[string]string{projConfig: buildFlags},
			wantArgs: []string{"--config", `target.x86_64-unknown-linux-gnu.rustflags=["-C","opt-level=2","-C","debuginfo=1","-C","target-feature=+crt-static"]`},
			regression: "cargo/rustflags.go:68-73 buildFlags lets CARGO_BUILD_RUSTFLAGS replace the files' build.rustflags; " +
				"cargo appends the variable's flags to them, so the files' build flags are dropped",
		},
		{
			name:     "CARGO_TARGET_<TRIPLE>_RUSTFLAGS hides build.rustflags",
			env:      []string{"CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS=-C debuginfo=1"},
			files:    map[string]string{projConfig: buildFlags},
			wantArgs: []string{"--config", staticOnly},
			regression: "cargo/rustflags.go:56-66 hasTargetFlags ignores CARGO_TARGET_<TRIPLE>_RUSTFLAGS, so build.rustflags " +
				"(which cargo would not use) are added to the build",
		},
		{
			name:     "non-matching cfg target entry does not hide build.rustflags",
			files:    map[string]string{projConfig: buildFlags + "[target.'cfg(windows)']\nrustflags = [\"-C\", \"debuginfo=1\"]\n"},
			wantArgs: []string{"--config", withBuild},
			regression: "cargo/rustflags.go:60-64 hasTargetFlags treats any cfg(...) entry as matching; with cfg(windows) " +
				"cargo would use build.rustflags on Linux, but they are dropped",
		},
		{
			name: "both .cargo/config and .cargo/config.toml: cargo reads config",
			files: map[string]string{
				"proj/.cargo/config": buildFlags,
				projConfig:           "[build]\nrustflags = [\"-C\", \"opt-level=3\"]\n",
			},
			wantArgs: []string{"--config", withBuild},
			regression: "cargo/rustflags.go:137-145 configFile prefers config.toml; cargo reads the extension-less config " +
				"when both exist (it warns \"both ... exist. Using ...config\")",
		},

		// The user's --config arguments (CARGO_ARGS and cargo-args
		// settings) are cargo's highest-precedence source. Checked with
		// cargo 1.95 -v: files' build.rustflags, then CARGO_BUILD_RUSTFLAGS,
		// then each --config left to right, all joined; a --config value
		// that names an existing file (relative to the working directory)
		// is read as a config file at that place in the order.
		{
			name:       "--config build.rustflags carried into the target entry",
			args:       []string{"--locked", "--config", `build.rustflags=["--cfg","krust_probe"]`},
			wantArgs:   []string{"--config", `target.x86_64-unknown-linux-gnu.rustflags=["--cfg","krust_probe","-C","target-feature=+crt-static"]`},
			regression: "--config build.rustflags in CARGO_ARGS is hidden by krust's own target.<triple>.rustflags entry",
		},
		{
			name:     "--config=KEY=VALUE form, string value",
			args:     []string{`--config=build.rustflags="--cfg krust_probe"`},
			wantArgs: []string{"--config", `target.x86_64-unknown-linux-gnu.rustflags=["--cfg","krust_probe","-C","target-feature=+crt-static"]`},
		},
		{
			name:     "files, then CARGO_BUILD_RUSTFLAGS, then each --config in order",
			env:      []string{"CARGO_BUILD_RUSTFLAGS=--cfg env"},
			files:    map[string]string{projConfig: "[build]\nrustflags = [\"--cfg\", \"file\"]\n"},
			args:     []string{"--config", `build.rustflags=["--cfg","cli1"]`, "--config", `build.rustflags=["--cfg","cli2"]`},
			wantArgs: []string{"--config", `target.x86_64-unknown-linux-gnu.rustflags=["--cfg","file","--cfg","env","--cfg","cli1","--cfg","cli2","-C","target-feature=+crt-static"]`},
		},
		{
			name:     "--config PATH relative to the project directory",
			files:    map[string]string{"proj/ci.toml": buildFlags},
			args:     []string{"--config", "ci.toml"},
			wantArgs: []string{"--config", withBuild},
		},
		{
			name:     "--config PATH with a target entry hides build.rustflags",
			files:    map[string]string{projConfig: buildFlags, "proj/ci.toml": "[target.x86_64-unknown-linux-gnu]\nrustflags = [\"--cfg\", \"x\"]\n"},
			args:     []string{"--config", "ci.toml"},
			wantArgs: []string{"--config", staticOnly},
		},
		{
			name:     "--config target.<triple>.rustflags hides build.rustflags",
			files:    map[string]string{projConfig: buildFlags},
			args:     []string{"--config", `target.x86_64-unknown-linux-gnu.rustflags=["--cfg","x"]`},
			wantArgs: []string{"--config", staticOnly},
		},
		{
			name:     "--config matching cfg target hides build.rustflags",
			files:    map[string]string{projConfig: buildFlags},
			args:     []string{"--config", `target."cfg(target_os = \"linux\")".rustflags=["--cfg","x"]`},
			wantArgs: []string{"--config", staticOnly},
		},
		{
			name:     "--config after a lone -- is not cargo's",
			files:    map[string]string{projConfig: buildFlags},
			args:     []string{"--", "--config", `build.rustflags=["--cfg","x"]`},
			wantArgs: []string{"--config", withBuild},
		},
		{
			name:     "--config is ignored when RUSTFLAGS is set, as cargo ignores it",
			env:      []string{"RUSTFLAGS=--cfg env"},
			args:     []string{"--config", `build.rustflags=["--cfg","x"]`},
			wantEnv:  map[string][]string{"RUSTFLAGS": {"--cfg", "env", "-C", "target-feature=+crt-static"}},
			wantArgs: nil,
		},
		{
			name:    "--config neither a file nor KEY=VALUE",
			args:    []string{"--config", "missing.toml"},
			wantErr: []string{"missing.toml", "KEY=VALUE"},
		},
		{
			name:    "--config file that is not TOML",
			files:   map[string]string{"proj/bad.toml": "[build\n"},
			args:    []string{"--config", "bad.toml"},
			wantErr: []string{"bad.toml"},
		},
		{
			name:     "config file in the project's parent",
			files:    map[string]string{rootConfig: buildFlags},
			wantArgs: []string{"--config", withBuild},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			proj := filepath.Join(root, "proj")
			home := filepath.Join(root, "cargo-home")
			for _, d := range []string{proj, home} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, content := range tc.files {
				p := filepath.Join(root, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			triple := tc.triple
			if triple == "" {
				triple = gnu
			}
			env := append([]string{"KEEP=1", "CARGO_HOME=" + home, "HOME=" + root}, tc.env...)
			envBefore := slices.Clone(env)

			gotEnv, gotArgs, err := buildRustflags(env, proj, triple, tc.args...)
			if !slices.Equal(env, envBefore) {
				t.Errorf("input env changed to %q", env)
			}
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("buildRustflags = %q, %q; want an error", gotEnv, gotArgs)
				}
				for _, s := range tc.wantErr {
					if !strings.Contains(filepath.ToSlash(err.Error()), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("buildRustflags: %v", err)
			}

			var problems []string
			if !slices.Equal(gotArgs, tc.wantArgs) {
				problems = append(problems, fmt.Sprintf("args = %q, want %q", gotArgs, tc.wantArgs))
			}
			problems = append(problems, checkEnv(envBefore, gotEnv, tc.wantEnv)...)
			if len(problems) == 0 {
				return
			}
			t.Error(strings.Join(problems, "\n"))
		})
	}
}

// checkEnv compares got with before, expecting the variables in want to
// hold those flags (once) and everything else to be unchanged.
func checkEnv(before, got []string, want map[string][]string) []string {
	var problems []string
	for key, flags := range want {
		n := 0
		for _, kv := range got {
			if k, _, _ := strings.Cut(kv, "="); k == key {
				n++
			}
		}
		v, ok := lookupEnv(got, key)
		if !ok || n != 1 {
			problems = append(problems, fmt.Sprintf("env has %s %d times, want once", key, n))
			continue
		}
		var gotFlags []string
		if key == "CARGO_ENCODED_RUSTFLAGS" {
			if v != "" {
				gotFlags = strings.Split(v, "\x1f")
			}
		} else {
			gotFlags = strings.Fields(v)
		}
		if !slices.Equal(gotFlags, flags) {
			problems = append(problems, fmt.Sprintf("%s = %q, want flags %q", key, v, flags))
		}
	}
	// Everything else is kept, in order.
	var rest, restBefore []string
	for _, kv := range got {
		// krust's own pkg-config setting is checked by TestStaticPkgConfig.
		if k, _, _ := strings.Cut(kv, "="); want[k] == nil && kv != pkgConfigAllStatic+"=1" {
			rest = append(rest, kv)
		}
	}
	for _, kv := range before {
		if k, _, _ := strings.Cut(kv, "="); want[k] == nil {
			restBefore = append(restBefore, kv)
		}
	}
	if !slices.Equal(rest, restBefore) {
		problems = append(problems, fmt.Sprintf("other variables = %q, want %q", rest, restBefore))
	}
	return problems
}

func TestEnvHelpers(t *testing.T) {
	tests := []struct {
		name      string
		env       []string
		key       string
		wantValue string
		wantOK    bool
		setTo     string
		wantSet   []string
	}{
		{"missing", []string{"A=1"}, "B", "", false, "2", []string{"A=1", "B=2"}},
		{"present", []string{"A=1", "B=x", "C=3"}, "B", "x", true, "2", []string{"A=1", "C=3", "B=2"}},
		{"last wins", []string{"B=first", "A=1", "B=last"}, "B", "last", true, "2", []string{"A=1", "B=2"}},
		{"empty value", []string{"B="}, "B", "", true, "", []string{"B="}},
		{"value with =", []string{"B=x=y"}, "B", "x=y", true, "a=b", []string{"B=a=b"}},
		{"prefix is not a match", []string{"BB=1", "B_X=2"}, "B", "", false, "3", []string{"BB=1", "B_X=2", "B=3"}},
		{"no = in entry", []string{"B"}, "B", "", false, "1", []string{"B=1"}},
		{"nil env", nil, "B", "", false, "1", []string{"B=1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := lookupEnv(tc.env, tc.key)
			if v != tc.wantValue || ok != tc.wantOK {
				t.Errorf("lookupEnv(%q, %q) = %q, %v; want %q, %v", tc.env, tc.key, v, ok, tc.wantValue, tc.wantOK)
			}
			before := slices.Clone(tc.env)
			got := setEnv(tc.env, tc.key, tc.setTo)
			if !slices.Equal(got, tc.wantSet) {
				t.Errorf("setEnv(%q, %q, %q) = %q, want %q", tc.env, tc.key, tc.setTo, got, tc.wantSet)
			}
			if !slices.Equal(tc.env, before) {
				t.Errorf("setEnv changed its input to %q", tc.env)
			}
		})
	}
}
