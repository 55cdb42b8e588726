package config

import (
	"fmt"

	"github.com/docker-krust/docker-krust/cargo"
)

// cargoProfile settles cargo's profile, the command line before files:
// the profile flag, or a profile option in the command line's cargo
// arguments (the two must agree); then the profile key (Cargo.toml
// metadata, krust config); then a profile option in the cargo-args
// settings; then release. layers are the settings' sources, the command
// line's first; fileArgs are the cargo-args setting that won. It returns
// the cargo arguments without their profile options, since krust passes
// cargo exactly one --profile and finds the executable under that
// profile's directory. Errors name where the value is written.
func cargoProfile(layers []Settings, fileArgs, cmdArgs []string) (string, []string, error) {
	flags := layers[0]
	cmdProfile, cmdRest, err := cargo.SplitProfile(cmdArgs)
	if err != nil {
		return "", nil, fmt.Errorf("%w %s: %v", ErrInvalidSetting, flags.where("cargo-args"), err)
	}
	fileProfile, fileRest, err := cargo.SplitProfile(fileArgs)
	if err != nil {
		return "", nil, fmt.Errorf("%w %s: %v", ErrInvalidSetting, whereIs(layers, "cargo-args"), err)
	}
	if flags.Profile != "" && cmdProfile != "" && flags.Profile != cmdProfile {
		return "", nil, fmt.Errorf("%w: %s %s and %s (profile %s) ask for different profiles: give one of them",
			ErrInvalidSetting, flags.where("profile"), flags.Profile, flags.where("cargo-args"), cmdProfile)
	}
	key := merge(layers...).Profile
	profile := firstString(flags.Profile, cmdProfile, key, fileProfile, cargo.DefaultProfile)
	if err := cargo.ValidProfile(profile); err != nil {
		where := whereIs(layers, "profile")
		if cmdProfile != "" && flags.Profile == "" {
			where = flags.where("cargo-args")
		}
		return "", nil, fmt.Errorf("%w profile (%s): %v", ErrInvalidSetting, where, err)
	}
	args := append(fileRest, cmdRest...)
	if len(args) == 0 {
		args = nil
	}
	return profile, args, nil
}
