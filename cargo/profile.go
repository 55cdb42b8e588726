package cargo

import (
	"fmt"
	"strings"
)

// DefaultProfile is the profile krust builds with when none is asked for:
// images ship optimised code.
const DefaultProfile = "release"

// ProfileOrDefault returns profile, or DefaultProfile when it is empty:
// the one rule for a request that names no profile.
func ProfileOrDefault(profile string) string {
	if profile == "" {
		return DefaultProfile
	}
	return profile
}

// ProfileDir returns the directory under target/TRIPLE where cargo puts
// what a profile builds: cargo's built-in profiles dev and test build into
// debug, bench into release, every other profile into its own name.
func ProfileDir(profile string) string {
	switch profile {
	case "dev", "test":
		return "debug"
	case "bench":
		return "release"
	}
	return profile
}

// ValidProfile checks a profile name the way cargo does before it runs:
// letters, digits, - and _ only, since the name becomes a directory.
func ValidProfile(name string) error {
	if name == "" {
		return fmt.Errorf("empty profile name: give e.g. --profile release")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("invalid profile name %q: cargo profile names hold only letters, digits, - and _", name)
		}
	}
	return nil
}

// SplitProfile takes the profile options out of cargo build arguments:
// --profile NAME, --profile=NAME, --release and -r (also in a cluster of
// short flags such as -rv). It returns the profile they ask for ("" when
// none), and the other arguments, so that the caller passes cargo exactly
// one --profile. Asking for two different profiles is an error, as it is
// for cargo.
func SplitProfile(args []string) (string, []string, error) {
	var profile string
	rest := make([]string, 0, len(args))
	set := func(name, how string) error {
		if err := ValidProfile(name); err != nil {
			return fmt.Errorf("cargo arguments: %s: %w", how, err)
		}
		if profile != "" && profile != name {
			return fmt.Errorf("cargo arguments ask for two profiles, %s and %s (%s): keep one", profile, name, how)
		}
		profile = name
		return nil
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		var err error
		switch {
		case arg == "--":
			return profile, append(rest, args[i:]...), nil
		case arg == "--release":
			err = set(DefaultProfile, arg)
		case arg == "--profile":
			if i+1 == len(args) {
				return "", nil, fmt.Errorf("cargo arguments: --profile needs a profile name, e.g. --profile release")
			}
			i++
			err = set(args[i], "--profile "+args[i])
		case strings.HasPrefix(arg, "--profile="):
			err = set(strings.TrimPrefix(arg, "--profile="), arg)
		case shortRelease(arg):
			err = set(DefaultProfile, arg)
			if short := strings.ReplaceAll(arg, "r", ""); short != "-" {
				rest = append(rest, short)
			}
		default:
			rest = append(rest, arg)
		}
		if err != nil {
			return "", nil, err
		}
	}
	return profile, rest, nil
}

// shortRelease reports whether arg is -r, alone or among cargo build's
// short flags that take no value (-rv, -qr); in -pr the r is -p's value.
func shortRelease(arg string) bool {
	if len(arg) < 2 || arg[0] != '-' || arg[1] == '-' || !strings.Contains(arg, "r") {
		return false
	}
	for _, c := range arg[1:] {
		if !strings.ContainsRune("rvqh", c) {
			return false
		}
	}
	return true
}
