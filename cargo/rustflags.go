package cargo

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// staticFlag makes rustc link the C runtime statically.
const staticFlag = "target-feature=+crt-static"

// staticLinking returns the environment and extra cargo arguments that add
// +crt-static for triple to the user's own rustflags; see addRustflags.
func staticLinking(env []string, dir, triple string) ([]string, []string, error) {
	return addRustflags(env, dir, []string{triple}, []string{"-C", staticFlag})
}

// addRustflags returns the environment and extra cargo arguments that add
// flags for triples to the user's own rustflags without replacing them.
//
// Cargo takes rustflags from the first source that is set: the
// CARGO_ENCODED_RUSTFLAGS and RUSTFLAGS variables (even when empty), then
// the target.<triple>.rustflags entries of its config files (joined), then
// build.rustflags. So a variable that is set is extended; otherwise a
// target.<triple>.rustflags entry is added on the command line, where cargo
// joins it with the files' entries, carrying build.rustflags over when no
// target entry would otherwise hide them.
func addRustflags(env []string, dir string, triples, flags []string) ([]string, []string, error) {
	if v, ok := lookupEnv(env, "CARGO_ENCODED_RUSTFLAGS"); ok {
		return setEnv(env, "CARGO_ENCODED_RUSTFLAGS", joinNonEmpty("\x1f", v, strings.Join(flags, "\x1f"))), nil, nil
	}
	if v, ok := lookupEnv(env, "RUSTFLAGS"); ok {
		if slices.ContainsFunc(flags, hasSpace) {
			// RUSTFLAGS cannot carry a flag with a space: move everything
			// to the encoded variable, which cargo reads first.
			encoded := append(strings.Fields(v), flags...)
			return setEnv(env, "CARGO_ENCODED_RUSTFLAGS", strings.Join(encoded, "\x1f")), nil, nil
		}
		return setEnv(env, "RUSTFLAGS", joinNonEmpty(" ", v, strings.Join(flags, " "))), nil, nil
	}
	cfg, err := readCargoConfig(env, dir)
	if err != nil {
		return nil, nil, err
	}
	var args []string
	for _, triple := range triples {
		all := []string{}
		if !cfg.hasTargetFlags(env, triple) {
			all = append(all, cfg.buildFlags(env)...)
		}
		// A JSON array of strings is also a valid TOML inline array.
		list, err := json.Marshal(append(all, flags...))
		if err != nil {
			return nil, nil, fmt.Errorf("encode rustflags: %w", err)
		}
		args = append(args, "--config", fmt.Sprintf("target.%s.rustflags=%s", triple, list))
	}
	return env, args, nil
}

func hasSpace(s string) bool { return strings.ContainsAny(s, " \t\n") }

// joinNonEmpty joins a and b with sep, leaving out a when it is blank.
func joinNonEmpty(sep, a, b string) string {
	if strings.TrimSpace(a) == "" {
		return b
	}
	return a + sep + b
}

// cargoConfig is the merged view of the rustflags and linkers in cargo's
// config files.
type cargoConfig struct {
	build   []string
	targets map[string]bool // target keys with rustflags
	linkers map[string]bool // target keys with a linker
}

// hasTargetFlags reports whether cargo will take rustflags for triple from
// a target entry (and so ignore build.rustflags): target.<triple> or a
// matching target.'cfg(...)' table, or CARGO_TARGET_<TRIPLE>_RUSTFLAGS.
func (c cargoConfig) hasTargetFlags(env []string, triple string) bool {
	if _, ok := lookupEnv(env, targetEnvKey(triple)); ok || c.targets[triple] {
		return true
	}
	cfg := tripleCfg(triple)
	for key := range c.targets {
		if cfgMatches(key, cfg) {
			return true
		}
	}
	return false
}

// buildFlags returns build.rustflags as cargo joins them: the files'
// first, then CARGO_BUILD_RUSTFLAGS.
func (c cargoConfig) buildFlags(env []string) []string {
	flags := append([]string(nil), c.build...)
	if v, ok := lookupEnv(env, "CARGO_BUILD_RUSTFLAGS"); ok {
		flags = append(flags, strings.Fields(v)...)
	}
	return flags
}

// targetEnvKey is the variable cargo reads for target.<triple>.rustflags.
func targetEnvKey(triple string) string {
	return strings.TrimSuffix(linkerEnvKey(triple), "_LINKER") + "_RUSTFLAGS"
}

// rustflagsFile is the part of a cargo config file we read.
type rustflagsFile struct {
	Build struct {
		Rustflags any `toml:"rustflags"`
	} `toml:"build"`
	Target map[string]struct {
		Rustflags any    `toml:"rustflags"`
		Linker    string `toml:"linker"`
	} `toml:"target"`
}

// readCargoConfig reads the config files cargo would read when run in dir:
// .cargo/config.toml (or .cargo/config) in dir and each parent, then
// CARGO_HOME's, with build.rustflags joined lowest precedence first.
func readCargoConfig(env []string, dir string) (cargoConfig, error) {
	cfg := cargoConfig{targets: map[string]bool{}, linkers: map[string]bool{}}
	paths := configPaths(env, dir)
	for i := len(paths) - 1; i >= 0; i-- {
		var f rustflagsFile
		data, err := os.ReadFile(paths[i])
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return cfg, fmt.Errorf("read cargo config: %w", err)
		}
		if err := toml.Unmarshal(data, &f); err != nil {
			return cfg, fmt.Errorf("read cargo config %s: %w", paths[i], err)
		}
		cfg.build = append(cfg.build, flagList(f.Build.Rustflags)...)
		for key, t := range f.Target {
			if t.Rustflags != nil {
				cfg.targets[key] = true
			}
			if t.Linker != "" {
				cfg.linkers[key] = true
			}
		}
	}
	return cfg, nil
}

// configPaths lists cargo's config files, highest precedence first.
func configPaths(env []string, dir string) []string {
	var paths []string
	seen := map[string]bool{}
	for d := dir; ; d = filepath.Dir(d) {
		paths = append(paths, configFile(filepath.Join(d, ".cargo")))
		seen[filepath.Join(d, ".cargo")] = true
		if filepath.Dir(d) == d {
			break
		}
	}
	home, ok := lookupEnv(env, "CARGO_HOME")
	if !ok || home == "" {
		if h, err := os.UserHomeDir(); err == nil {
			home = filepath.Join(h, ".cargo")
		}
	}
	if home != "" && !seen[home] {
		paths = append(paths, configFile(home))
	}
	return paths
}

// configFile picks the file cargo reads in a .cargo directory: the older
// extension-less config when it exists (cargo prefers it, with a warning),
// else config.toml.
func configFile(dir string) string {
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
