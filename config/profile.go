package config

import (
	"fmt"

	"github.com/docker-krust/docker-krust/cargo"
)

// cargoProfile settles cargo's profile, the command line before files:
// --profile, or a profile option in the cargo arguments after -- (the two
// must agree); then the profile key (Cargo.toml metadata, krust config);
// then a profile option in the cargo-args settings; then release. It
// returns the cargo arguments without their profile options, since krust
// passes cargo exactly one --profile and finds the executable under that
// profile's directory.
func cargoProfile(flag, key string, fileArgs, cmdArgs []string) (string, []string, error) {
	cmdProfile, cmdRest, err := cargo.SplitProfile(cmdArgs)
	if err != nil {
		return "", nil, err
	}
	fileProfile, fileRest, err := cargo.SplitProfile(fileArgs)
	if err != nil {
		return "", nil, fmt.Errorf("cargo-args setting: %w", err)
	}
	if flag != "" && cmdProfile != "" && flag != cmdProfile {
		return "", nil, fmt.Errorf("--profile %s and the cargo arguments after -- (profile %s) ask for different profiles: give one of them", flag, cmdProfile)
	}
	profile := firstString(flag, cmdProfile, key, fileProfile, cargo.DefaultProfile)
	if err := cargo.ValidProfile(profile); err != nil {
		return "", nil, fmt.Errorf("profile: %w", err)
	}
	args := append(fileRest, cmdRest...)
	if len(args) == 0 {
		args = nil
	}
	return profile, args, nil
}
