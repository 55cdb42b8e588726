package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/imageref"
	"github.com/docker-krust/docker-krust/internal/problems"
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
// settings and an empty environment: Settle then returns the defaults.
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
	// PackageName is the name of the package built, which ends the image's
	// name under a Repo; "" checks a Repo with a one-letter name instead.
	PackageName string
}

// Settled is every build and image setting, settled and checked: the
// first source that gives a value wins, and a default fills what none
// gives.
type Settled struct {
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
	// Bins are the binaries to build, each once, in the order given, all
	// put into the image at /app/NAME; none means the package's only one
	// (or its default-run). Entrypoint is the one the image runs, one of
	// Bins; empty means the first.
	Bins       []string
	Entrypoint string
	// Cargo is the cargo-compatible builder command; empty means cargo.
	Cargo string
	// Profile is cargo's profile; CargoArgs (the files' then the command
	// line's) hold no profile option, since krust passes exactly one.
	Profile   string
	CargoArgs []string
	// Tags are the image's tags, each once, in the order first given.
	Tags []string
	// ImageConfig holds the user's settings of the image's config: Cmd,
	// Env, User, ports...
	ImageConfig oci.ImageSettings
	// Annotations go on the image manifest.
	Annotations map[string]string
	// Created is SOURCE_DATE_EPOCH, else the Unix epoch; StampCreated says
	// SOURCE_DATE_EPOCH was set.
	Created      time.Time
	StampCreated bool
	// CargoHome is CARGO_HOME, else ~/.cargo, else "".
	CargoHome string
	// SBOM is the format of the SBOM attached to each platform's image:
	// attest.SPDX unless a source says attest.CycloneDX or attest.None.
	SBOM attest.Format
	// Provenance is the provenance attached to each platform's image:
	// attest.SLSA unless a source says attest.None.
	Provenance attest.Format
	// Files are the files put into the image, beneath the executable, by
	// a layer of their own; none unless a source lists some.
	Files []FileSpec
}

// Settle settles the settings from their sources and checks every value
// that wins, whichever source gave it, before cargo runs. Every problem is
// reported at once (a problems.List when there are several), each naming
// the setting, its source and the rule; the value checks wrap
// ErrInvalidSetting.
func Settle(src Sources) (Settled, error) {
	getenv := src.getenv()
	layers := src.layers()
	s, errs := mergeChecked(layers...)
	if err := checkCargoArgs(src.CargoArgs, src.Flags); err != nil {
		errs = append(errs, err)
	}
	if err := checkName(s, layers, src.PackageName); err != nil {
		errs = append(errs, err)
	}
	platforms, all, err := parsePlatforms(strings.Join(orDefault(s.Platforms, DefaultPlatform), ","))
	if err != nil {
		errs = append(errs, fmt.Errorf("%w platforms (%s): %v", ErrInvalidSetting, whereIs(layers, "platforms"), err))
	}
	created, stamp, err := sourceDateEpoch(getenv("SOURCE_DATE_EPOCH"))
	errs = append(errs, err)
	profile, cargoArgs, err := cargoProfile(layers, s.CargoArgs, src.CargoArgs)
	errs = append(errs, err)
	if err := problems.Join(errs...); err != nil {
		return Settled{}, err
	}
	compression, _ := oci.ParseCompression(s.Compression) // checked by mergeChecked
	return Settled{
		Name: s.Name, Repo: s.Repo, Base: firstString(s.BaseImage, DefaultBase),
		Platforms: platforms, AllPlatforms: all, Libc: cargo.Libc(firstString(s.Libc, string(cargo.Musl))), Compression: compression,
		Bins: binList(s), Entrypoint: s.Entrypoint, Cargo: s.Cargo, Profile: profile, CargoArgs: cargoArgs, Tags: unique(orDefault(s.Tags, DefaultTag)),
		ImageConfig: oci.ImageSettings{
			Cmd: s.Args, Env: s.Env, User: s.User, WorkingDir: s.Workdir, Ports: s.Ports, Labels: s.Labels,
		},
		Annotations: s.Annotations, Created: created, StampCreated: stamp, CargoHome: cargo.Home(getenv),
		SBOM:       attest.Format(firstString(s.SBOM, string(attest.Default(attest.SBOM)))),
		Provenance: attest.Format(firstString(s.Provenance, string(attest.Default(attest.Provenance)))),
		Files:      s.Files,
	}, nil
}

// Destination returns the image name and the repository prefix that the
// sources give, as Settle settles them but unchecked: so that a command
// can tell whether a build has somewhere to go even when Settle refuses
// other settings, and report that with them.
func Destination(src Sources) (name, repo string) {
	s := merge(src.layers()...)
	return s.Name, s.Repo
}

// layers are the sources' settings, highest precedence first, the
// environment's among them.
func (src Sources) layers() []Settings {
	getenv := src.getenv()
	env := Settings{Keys: map[string]string{"image": "KRUST_IMAGE", "repo": "KRUST_REPO"}, Name: getenv("KRUST_IMAGE"), Repo: getenv("KRUST_REPO")}
	return []Settings{src.Flags, env, src.Package, src.Workspace, src.User}
}

// getenv is Getenv, or an empty environment.
func (src Sources) getenv() func(string) string {
	if src.Getenv == nil {
		return func(string) string { return "" }
	}
	return src.Getenv
}

// checkName checks the image name that the image or repo setting that
// wins gives, with the package's name under a repo; the error names the
// setting's source, and where a whole image name is the fix, the keys
// that set one.
func checkName(s Settings, layers []Settings, pkg string) error {
	if pkg == "" {
		pkg = "x"
	}
	_, err := imageref.Name(s.Name, s.Repo, pkg)
	var nameErr *imageref.NameError
	if !errors.As(err, &nameErr) {
		return err
	}
	rule := nameErr.Err
	if nameErr.WholeName {
		rule = fmt.Errorf("%w (set a whole image name with %s or %s)", rule, layers[0].key("image"), layers[1].key("image"))
	}
	return invalid(nameErr.Setting, whereIs(layers, nameErr.Setting), nameErr.Value, rule)
}

// unique returns list with each value once, where it first appears: a tag
// given twice (--tag v1 --tag v1, or by a script whose two variables agree)
// names the image once.
func unique(list []string) []string {
	var out []string
	for _, v := range list {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func orDefault(list []string, value string) []string {
	if len(list) == 0 {
		return []string{value}
	}
	return list
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

// binList is the binaries s names with bin or bins, each once.
func binList(s Settings) []string {
	if s.Bin != "" {
		return []string{s.Bin}
	}
	return unique(s.Bins)
}
