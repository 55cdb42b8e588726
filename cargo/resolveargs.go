package cargo

import "strings"

// cargo build's options that take a value, as its clap grammar has them:
// required values follow as the next argument or after "=" (long) or
// directly (short, "-j4", "-j=4"); optional ones ([<NAME>]) take the next
// argument only when it does not start with "-".
var (
	longRequired = map[string]bool{
		"--message-format": true, "--color": true, "--config": true, "--exclude": true,
		"--features": true, "--profile": true, "--jobs": true, "--target-dir": true,
		"--artifact-dir": true, "--out-dir": true, "--manifest-path": true, "--lockfile-path": true,
	}
	longOptional = map[string]bool{
		"--package": true, "--bin": true, "--example": true, "--test": true, "--bench": true, "--target": true,
	}
)

const (
	shortRequired = "FjZ"  // -F FEATURES, -j N, -Z FLAG
	shortOptional = "p"    // -p [SPEC]
	shortFlags    = "vqrh" // -v, -q, -r, -h
)

// resolutionFlags are the flags of cargo build that change the resolve or
// how cargo reads it, which cargo metadata and cargo tree take too.
var resolutionFlags = map[string]bool{
	"--all-features": true, "--no-default-features": true, "--locked": true, "--offline": true, "--frozen": true,
}

// resolutionArgs picks from the user's cargo build arguments those that
// change what cargo resolves: features (in every spelling cargo accepts),
// --all-features, --no-default-features, --locked, --offline, --frozen,
// --config and -Z, each spelt one way ("--features=a,b", "--config=K=V",
// "-Z", "FLAG"). Other options are dropped with their values, so that a
// value is never taken for an option; nothing after a lone "--" is an
// option.
func resolutionArgs(args []string) []string {
	var out []string
	keep := func(name, value string) {
		switch name {
		case "--features", "-F":
			out = append(out, "--features="+value)
		case "--config":
			out = append(out, "--config="+value)
		case "-Z":
			out = append(out, "-Z", value)
		}
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		next := func(optional bool) (string, bool) {
			if i+1 >= len(args) || optional && strings.HasPrefix(args[i+1], "-") {
				return "", false
			}
			i++
			return args[i], true
		}
		switch {
		case arg == "--":
			return out
		case strings.HasPrefix(arg, "--"):
			name, value, hasValue := strings.Cut(arg, "=")
			switch {
			case resolutionFlags[arg]:
				out = append(out, arg)
			case hasValue:
				keep(name, value)
			case longRequired[name] || longOptional[name]:
				if v, ok := next(longOptional[name]); ok {
					keep(name, v)
				}
			}
		case len(arg) > 1 && arg[0] == '-':
			name, value, ok := shortOption(arg)
			if !ok {
				continue
			}
			if value == "" {
				value, ok = next(strings.Contains(shortOptional, name[1:]))
			}
			if ok {
				keep(name, value)
			}
		}
	}
	return out
}

// shortOption reads a cluster of short options such as "-vF", "-Fa,b",
// "-F=a" or "-vvj4": flags without a value, then at most one option with
// a value, which is the rest of the cluster (without a leading "=") or,
// when that is empty, the next argument. It returns the option ("-F") and
// its value if the cluster has one; ok is false for a cluster of flags.
func shortOption(arg string) (name, value string, ok bool) {
	for j := 1; j < len(arg); j++ {
		c := arg[j]
		switch {
		case strings.IndexByte(shortRequired, c) >= 0 || strings.IndexByte(shortOptional, c) >= 0:
			return "-" + string(c), strings.TrimPrefix(arg[j+1:], "="), true
		case strings.IndexByte(shortFlags, c) < 0:
			return "", "", false // not cargo build's: leave it to cargo build
		}
	}
	return "", "", false
}

// Features returns the features the user's cargo build arguments ask for
// with --features or -F, in every spelling cargo accepts ("-F a,b",
// "--features=a --features b", "-Fa"), one name per entry in the order
// given; "pkg/feat" names stay as they are. --all-features and
// --no-default-features are flags, not features: they stay in the
// arguments.
func Features(args []string) []string {
	var out []string
	for _, arg := range resolutionArgs(args) {
		value, ok := strings.CutPrefix(arg, "--features=")
		if !ok {
			continue
		}
		out = append(out, strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' })...)
	}
	return out
}
