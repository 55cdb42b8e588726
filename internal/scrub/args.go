package scrub

import (
	"regexp"
	"strings"
)

// argValue is what cargo build's option does with its value, and so how
// the value is recorded.
type argValue int

const (
	none     argValue = iota // a switch: no value
	setting                  // a name, list or number: scrubbed as a Value
	pathArg                  // a path: scrubbed as a Path
	configKV                 // --config KEY=VALUE or PATH: see Config
)

// cargoOption is one of cargo build's options: its value and whether cargo
// takes the next argument as that value only when it does not start with
// "-" ([<NAME>] in cargo's help).
type cargoOption struct {
	value    argValue
	optional bool
}

// cargoOptions is the allow-list of cargo build's options (cargo 1.95,
// `cargo build --help`) whose values are build settings and are recorded.
// An option not listed keeps its name and loses its value.
var cargoOptions = map[string]cargoOption{
	// Package and target selection.
	"--package": {setting, true}, "-p": {setting, true}, "--exclude": {setting, false},
	"--bin": {setting, true}, "--example": {setting, true}, "--test": {setting, true},
	"--bench": {setting, true},
	// Features, profile, target, jobs, output.
	"--features": {setting, false}, "-F": {setting, false}, "--profile": {setting, false},
	"--target": {setting, true}, "--jobs": {setting, false}, "-j": {setting, false},
	"--message-format": {setting, false}, "--color": {setting, false}, "-Z": {setting, false},
	// Paths.
	"--target-dir": {pathArg, false}, "--artifact-dir": {pathArg, false}, "--out-dir": {pathArg, false},
	"--manifest-path": {pathArg, false}, "--lockfile-path": {pathArg, false},
	"--config": {configKV, false},
}

// cargoSwitches are cargo build's options without a value.
var cargoSwitches = map[string]bool{
	"--release": true, "-r": true, "--locked": true, "--offline": true, "--frozen": true,
	"--all-features": true, "--no-default-features": true, "--workspace": true, "--all": true,
	"--lib": true, "--bins": true, "--examples": true, "--tests": true, "--benches": true,
	"--all-targets": true, "--keep-going": true, "--ignore-rust-version": true,
	"--future-incompat-report": true, "--timings": true, "--unit-graph": true,
	"--verbose": true, "-v": true, "--quiet": true, "-q": true, "--help": true, "-h": true,
}

// longName and shortName are the shapes of an option's name that are
// kept even when krust does not know the option (its value is not).
var (
	longName  = regexp.MustCompile(`^--[A-Za-z][A-Za-z0-9-]*$`)
	shortName = regexp.MustCompile(`^-[A-Za-z]$`)
)

// scrubber is how values are scrubbed: for a document (paths too) or for
// the log (which stays on the machine, so its paths are kept).
type scrubber struct {
	value, path func(string) string
}

var (
	forDocument = scrubber{value: Value, path: Path}
	forLog      = scrubber{value: func(s string) string { return userinfoIn(s, false) }, path: func(s string) string { return s }}
)

// CargoArgs returns the user's arguments for cargo build fit for a
// document: the options of the allow-list (cargoOptions, cargoSwitches)
// with their values scrubbed (see Value, Path, Config); any other option
// keeps its name and its value becomes Redacted; any other argument, and
// everything after a lone "--", becomes Redacted.
func CargoArgs(args []string) []string {
	return cargoArgs(args, forDocument)
}

// CargoArgsForLog is CargoArgs for what krust prints: the same values are
// redacted, but local paths are kept, since the log stays on the machine
// and a path is what the user needs to act on it.
func CargoArgsForLog(args []string) []string {
	return cargoArgs(args, forLog)
}

func cargoArgs(args []string, s scrubber) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			out = append(out, arg)
			for range args[i+1:] {
				out = append(out, Redacted)
			}
			return out
		}
		name, value, hasValue := splitOption(arg)
		// value is the end of arg: what stands before it is kept.
		before := arg[:len(arg)-len(value)]
		opt, known := cargoOptions[name]
		switch {
		case name == "" || cargoSwitches[name] && !hasValue:
			out = append(out, arg) // switches only
		case known && hasValue:
			out = append(out, before+s.optionValue(opt.value, value))
		case known:
			out = append(out, arg)
			if i+1 < len(args) && !(opt.optional && strings.HasPrefix(args[i+1], "-")) {
				i++
				out = append(out, s.optionValue(opt.value, args[i]))
			}
		case longName.MatchString(name) && hasValue:
			out = append(out, before+Redacted)
		case longName.MatchString(arg) || shortName.MatchString(arg):
			out = append(out, arg)
		default:
			out = append(out, Redacted)
		}
	}
	return out
}

// splitOption splits an argument into an option and its value: --NAME=V,
// or a cluster of short switches ending in an option whose value is the
// rest (-vFa,b gives -F and "a,b"; -j4; -Zflag; -F=a). hasValue is false
// when the value, if any, is the next argument. A cluster of known
// switches only (-vq) gives name "". Anything else is returned as name.
func splitOption(arg string) (name, value string, hasValue bool) {
	if strings.HasPrefix(arg, "--") {
		return strings.Cut(arg, "=")
	}
	if len(arg) < 2 || arg[0] != '-' {
		return arg, "", false
	}
	for j := 1; j < len(arg); j++ {
		short := "-" + string(arg[j])
		if _, ok := cargoOptions[short]; ok {
			rest := arg[j+1:]
			return short, strings.TrimPrefix(rest, "="), rest != ""
		}
		if !cargoSwitches[short] {
			return arg, "", false
		}
	}
	return "", "", false
}

func (s scrubber) optionValue(kind argValue, v string) string {
	switch kind {
	case pathArg:
		return s.path(v)
	case configKV:
		return s.config(v)
	}
	return s.value(v)
}
