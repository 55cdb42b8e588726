package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// The defaults of the settings no source gives.
const (
	DefaultBase     = "gcr.io/distroless/static:nonroot"
	DefaultPlatform = "linux/amd64"
	DefaultTag      = "latest"
)

// Sources are everything a build's settings come from, highest precedence
// first: flags, the environment, [package.metadata.krust],
// [workspace.metadata.krust], the krust config. The zero value gives no
// settings and an empty environment: Resolve then returns the defaults.
type Sources struct {
	// Flags are the settings the command line's flags give: only the flags
	// the user set, so that a flag's default never hides a file's value.
	Flags Settings
	// CargoArgs are the command line's arguments after --. They are added
	// after the files' cargo-args rather than replacing them.
	CargoArgs []string
	// Getenv looks up KRUST_IMAGE, KRUST_REPO, SOURCE_DATE_EPOCH,
	// CARGO_HOME and HOME; nil is an empty environment.
	Getenv func(string) string
	// Package and Workspace are what CargoSettings reads from Cargo.toml;
	// User is what the krust config gives (Config.Settings).
	Package, Workspace, User Settings
}

// Resolved is every build and image setting, settled and checked: the
// first source that gives a value wins, and a default fills what none
// gives.
type Resolved struct {
	// Name and Repo name the image (a whole name, or a prefix for
	// REPO/PACKAGE); both empty means there is nowhere to push.
	Name, Repo string
	// Base is the base image; DefaultBase unless a source names one.
	Base string
	// Platforms are the platforms to build (DefaultPlatform unless given);
	// nil with AllPlatforms ("all": every one the base offers).
	Platforms    []ocispec.Platform
	AllPlatforms bool
	Libc         cargo.Libc
	// Compression is how the new layer is compressed; oci.Gzip unless a
	// source says zstd.
	Compression oci.Compression
	// Bin is the binary to build; empty means the package's only one.
	Bin string
	// Cargo is the cargo-compatible builder command; empty means cargo.
	Cargo string
	// Profile is cargo's profile; CargoArgs (the files' then the command
	// line's) hold no profile option, since krust passes exactly one.
	Profile   string
	CargoArgs []string
	Tags      []string
	Image     oci.ImageSettings
	// Annotations go on the image manifest.
	Annotations map[string]string
	// Created is SOURCE_DATE_EPOCH, else the Unix epoch; StampCreated says
	// SOURCE_DATE_EPOCH was set.
	Created      time.Time
	StampCreated bool
	// CargoHome is CARGO_HOME, else ~/.cargo, else "".
	CargoHome string
	// SBOM is the format of the SBOM attached to each platform's image:
	// SBOMSPDX unless a source says SBOMCycloneDX or SBOMNone.
	SBOM string
	// Provenance is the provenance attached to each platform's image:
	// ProvenanceSLSA unless a source says ProvenanceNone.
	Provenance string
}

// Resolve settles the settings from their sources and checks every value
// that wins, whichever source gave it, before cargo runs. Errors name the
// setting, its source and the rule; the value checks wrap
// ErrInvalidSetting.
func Resolve(src Sources) (Resolved, error) {
	getenv := src.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	env := Settings{Source: "environment", Name: getenv("KRUST_IMAGE"), Repo: getenv("KRUST_REPO")}
	s, err := mergeChecked(src.Flags, env, src.Package, src.Workspace, src.User)
	if err != nil {
		return Resolved{}, err
	}
	if err := checkCargoArgs(src.CargoArgs, ""); err != nil {
		return Resolved{}, err
	}
	platforms, all, err := parsePlatforms(strings.Join(orDefault(s.Platforms, DefaultPlatform), ","))
	if err != nil {
		return Resolved{}, fmt.Errorf("platforms: %w", err)
	}
	libc, err := cargo.ParseLibc(firstString(s.Libc, string(cargo.Musl)))
	if err != nil {
		return Resolved{}, err
	}
	compression, err := oci.ParseCompression(s.Compression)
	if err != nil {
		return Resolved{}, err
	}
	created, stamp, err := sourceDateEpoch(getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return Resolved{}, err
	}
	profile, cargoArgs, err := cargoProfile(src.Flags.Profile, s.Profile, s.CargoArgs, src.CargoArgs)
	if err != nil {
		return Resolved{}, err
	}
	return Resolved{
		Name: s.Name, Repo: s.Repo, Base: firstString(s.BaseImage, DefaultBase),
		Platforms: platforms, AllPlatforms: all, Libc: libc, Compression: compression, Bin: s.Bin, Cargo: s.Cargo,
		Profile: profile, CargoArgs: cargoArgs, Tags: orDefault(s.Tags, DefaultTag),
		Image: oci.ImageSettings{
			Cmd: s.Args, Env: s.Env, User: s.User, WorkingDir: s.Workdir, Ports: s.Ports, Labels: s.Labels,
		},
		Annotations: s.Annotations, Created: created, StampCreated: stamp, CargoHome: cargoHome(getenv),
		SBOM: firstString(s.SBOM, SBOMSPDX), Provenance: firstString(s.Provenance, ProvenanceSLSA),
	}, nil
}

func orDefault(list []string, value string) []string {
	if len(list) == 0 {
		return []string{value}
	}
	return list
}

// cargoHome returns cargo's home directory: CARGO_HOME, else ~/.cargo.
func cargoHome(getenv func(string) string) string {
	if h := getenv("CARGO_HOME"); h != "" {
		return h
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".cargo")
	}
	return ""
}

// parsePlatforms reads a comma-separated list of platforms, or "all".
func parsePlatforms(s string) ([]ocispec.Platform, bool, error) {
	if strings.TrimSpace(s) == "all" {
		return nil, true, nil
	}
	var out []ocispec.Platform
	for _, part := range strings.Split(s, ",") {
		p, err := oci.ParsePlatform(part)
		if err != nil {
			return nil, false, err
		}
		for _, q := range out {
			if oci.SamePlatform(p, q) {
				return nil, false, fmt.Errorf("platform %s is listed twice", oci.PlatformString(p))
			}
		}
		out = append(out, p)
	}
	return out, false, nil
}
