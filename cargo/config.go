package cargo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker-krust/docker-krust/internal/regular"
	"github.com/docker-krust/docker-krust/internal/scrub"
	"github.com/pelletier/go-toml/v2"
)

// cargoConfig is krust's view of the parts of cargo's configuration that
// krust adds to and must never hide or replace: rustflags and linkers. It
// is what cargo itself reads when run in the project's directory with the
// same arguments and environment; see readCargoConfig.
type cargoConfig struct {
	// env is cargo's environment, read per triple on demand since a
	// variable name cannot be mapped back to a triple.
	env []string
	// build is build.rustflags as cargo joins them, lowest precedence
	// first: config files, CARGO_BUILD_RUSTFLAGS, then --config arguments.
	build   []string
	targets map[string]bool // target keys (a triple or cfg(...)) with rustflags
	linkers map[string]bool // target keys with a linker
}

// configFile is the part of a cargo config file (or of one --config
// KEY=VALUE argument) krust reads.
type configFile struct {
	Build struct {
		Rustflags any `toml:"rustflags"`
	} `toml:"build"`
	Target map[string]struct {
		Rustflags any    `toml:"rustflags"`
		Linker    string `toml:"linker"`
	} `toml:"target"`
}

// readCargoConfig reads what cargo reads when run in dir with args, merged
// as cargo merges it (checked with cargo 1.95): the config files found in
// dir and each of its parents, then CARGO_HOME's, with the deeper files
// taking precedence; over them the CARGO_* variables; over those the
// --config arguments, each either a TOML KEY=VALUE or the path of a file
// (relative to dir, as cargo takes it relative to its working
// directory), later ones over earlier ones. Lists such as rustflags are
// joined, higher precedence later.
func readCargoConfig(env []string, dir string, args []string) (cargoConfig, error) {
	cfg := cargoConfig{env: env, targets: map[string]bool{}, linkers: map[string]bool{}}
	paths := configPaths(env, dir)
	for i := len(paths) - 1; i >= 0; i-- {
		f, err := readConfigFile(paths[i])
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return cfg, err
		}
		cfg.add(f)
	}
	if v, ok := lookupEnv(env, "CARGO_BUILD_RUSTFLAGS"); ok {
		cfg.build = append(cfg.build, strings.Fields(v)...)
	}
	for _, arg := range configArgs(args) {
		f, err := readConfigArg(dir, arg)
		if err != nil {
			return cfg, err
		}
		cfg.add(f)
	}
	return cfg, nil
}

// add merges f over what cfg holds.
func (c *cargoConfig) add(f configFile) {
	c.build = append(c.build, flagList(f.Build.Rustflags)...)
	for key, t := range f.Target {
		if t.Rustflags != nil {
			c.targets[key] = true
		}
		if t.Linker != "" {
			c.linkers[key] = true
		}
	}
}

// maxConfigBytes bounds a cargo config file krust reads: such files hold
// a few settings, and go-toml's parsing time grows with the square of the
// keys in a table (see config.MaxTOMLBytes).
const maxConfigBytes = 128 << 10

// readConfigFile reads the cargo config file at path, refusing at once
// anything but a regular file (a named pipe would block the open for good).
// A missing file gives an error os.IsNotExist accepts.
func readConfigFile(path string) (configFile, error) {
	var f configFile
	data, err := regular.ReadFile(path, maxConfigBytes)
	if err != nil {
		if os.IsNotExist(err) {
			return f, err
		}
		return f, fmt.Errorf("read cargo config: %w", err)
	}
	if err := toml.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("read cargo config %s: %w", path, err)
	}
	return f, nil
}

// readConfigArg reads one --config value the way cargo tells its two
// forms apart: a path to an existing file first, else a KEY=VALUE TOML
// expression such as build.rustflags=["--cfg","x"].
func readConfigArg(dir, arg string) (configFile, error) {
	path := arg
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, arg)
	}
	if _, err := os.Stat(path); arg != "" && err == nil {
		f, err := readConfigFile(path)
		if err != nil {
			return f, fmt.Errorf("--config %s in cargo's arguments: %w", arg, err)
		}
		return f, nil
	}
	var f configFile
	if err := toml.Unmarshal([]byte(arg), &f); err != nil || !strings.Contains(arg, "=") {
		// The value may be a secret (env.TOKEN=...): name the key only.
		return f, fmt.Errorf("--config %q in cargo's arguments is neither an existing file nor a KEY=VALUE setting such as build.rustflags=[\"--cfg\",\"x\"] (a string value needs quotes: KEY=\"VALUE\")", scrub.ConfigForLog(arg))
	}
	return f, nil
}

// configArgs returns the values of the --config options among cargo's
// arguments, in order. Nothing after a lone -- is an option of cargo's.
func configArgs(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		switch arg := args[i]; {
		case arg == "--":
			return out
		case arg == "--config" && i+1 < len(args):
			out = append(out, args[i+1])
			i++
		case strings.HasPrefix(arg, "--config="):
			out = append(out, strings.TrimPrefix(arg, "--config="))
		}
	}
	return out
}

// hasTargetFlags reports whether cargo will take rustflags for triple from
// a target entry (and so ignore build.rustflags): target.<triple> or a
// matching target.'cfg(...)' table, or CARGO_TARGET_<TRIPLE>_RUSTFLAGS.
func (c cargoConfig) hasTargetFlags(triple string) bool {
	if _, ok := lookupEnv(c.env, targetEnvKey(triple)); ok {
		return true
	}
	return c.matches(c.targets, triple)
}

// hasLinker reports whether the user configured a linker for triple:
// target.<triple>.linker or a matching target.'cfg(...)'.linker in any
// source, or CARGO_TARGET_<TRIPLE>_LINKER.
func (c cargoConfig) hasLinker(triple string) bool {
	if _, ok := lookupEnv(c.env, linkerEnvKey(triple)); ok {
		return true
	}
	return c.matches(c.linkers, triple)
}

// matches reports whether keys holds triple or a cfg(...) key matching it.
func (c cargoConfig) matches(keys map[string]bool, triple string) bool {
	if keys[triple] {
		return true
	}
	cfg := tripleCfg(triple)
	for key := range keys {
		if cfgMatches(key, cfg) {
			return true
		}
	}
	return false
}

// targetEnvKey is the variable cargo reads for target.<triple>.rustflags.
func targetEnvKey(triple string) string {
	return strings.TrimSuffix(linkerEnvKey(triple), "_LINKER") + "_RUSTFLAGS"
}

// configPaths lists cargo's config files, highest precedence first.
func configPaths(env []string, dir string) []string {
	var paths []string
	seen := map[string]bool{}
	for d := dir; ; d = filepath.Dir(d) {
		paths = append(paths, configFileIn(filepath.Join(d, ".cargo")))
		seen[filepath.Join(d, ".cargo")] = true
		if filepath.Dir(d) == d {
			break
		}
	}
	if home := Home(getenvOf(env)); home != "" && !seen[home] {
		paths = append(paths, configFileIn(home))
	}
	return paths
}

// configFileIn picks the file cargo reads in a .cargo directory: the older
// extension-less config when it exists (cargo prefers it, with a warning),
// else config.toml.
func configFileIn(dir string) string {
	legacy := filepath.Join(dir, "config")
	if info, err := os.Stat(legacy); err == nil && !info.IsDir() {
		return legacy
	}
	return filepath.Join(dir, "config.toml")
}

// flagList reads a rustflags value, a string of space-separated flags or
// an array of strings.
func flagList(v any) []string {
	switch v := v.(type) {
	case string:
		return strings.Fields(v)
	case []any:
		var out []string
		for _, f := range v {
			if s, ok := f.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
