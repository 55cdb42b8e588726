package cargo

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// staticFlag makes rustc link the C runtime statically.
const staticFlag = "target-feature=+crt-static"

// addRustflags returns the environment and extra cargo arguments that add
// flags for triples to the user's own rustflags without replacing them.
//
// Cargo takes rustflags from the first source that is set: the
// CARGO_ENCODED_RUSTFLAGS and RUSTFLAGS variables (even when empty), then
// the target.<triple>.rustflags entries of every config source (joined),
// then build.rustflags. So a variable that is set is extended; otherwise a
// target.<triple>.rustflags entry is added on the command line, where cargo
// joins it with the other sources' entries, carrying build.rustflags (from
// files, CARGO_BUILD_RUSTFLAGS and the user's --config) over when no target
// entry would otherwise hide them.
func addRustflags(cfg cargoConfig, triples, flags []string) ([]string, []string) {
	env := cfg.env
	if v, ok := lookupEnv(env, "CARGO_ENCODED_RUSTFLAGS"); ok {
		return setEnv(env, "CARGO_ENCODED_RUSTFLAGS", joinNonEmpty("\x1f", v, strings.Join(flags, "\x1f"))), nil
	}
	if v, ok := lookupEnv(env, "RUSTFLAGS"); ok {
		if slices.ContainsFunc(flags, hasSpace) {
			// RUSTFLAGS cannot carry a flag with a space: move everything
			// to the encoded variable, which cargo reads first.
			encoded := append(strings.Fields(v), flags...)
			return setEnv(env, "CARGO_ENCODED_RUSTFLAGS", strings.Join(encoded, "\x1f")), nil
		}
		return setEnv(env, "RUSTFLAGS", joinNonEmpty(" ", v, strings.Join(flags, " "))), nil
	}
	var args []string
	for _, triple := range triples {
		all := []string{}
		if !cfg.hasTargetFlags(triple) {
			all = append(all, cfg.build...)
		}
		// A JSON array of strings is also a valid TOML inline array; and
		// marshalling strings cannot fail.
		list, _ := json.Marshal(append(all, flags...))
		args = append(args, "--config", fmt.Sprintf("target.%s.rustflags=%s", triple, list))
	}
	return env, args
}

func hasSpace(s string) bool { return strings.ContainsAny(s, " \t\n") }

// joinNonEmpty joins a and b with sep, leaving out a when it is blank.
func joinNonEmpty(sep, a, b string) string {
	if strings.TrimSpace(a) == "" {
		return b
	}
	return a + sep + b
}
