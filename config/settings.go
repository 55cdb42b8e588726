package config

import (
	"fmt"
	"maps"
	"strconv"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/internal/problems"
)

// Settings are the build and image settings that flags, the environment,
// Cargo.toml and the krust config can each give (see Sources). An empty
// field is not set by that source.
type Settings struct {
	// Source names where these settings come from, for messages: a file
	// and its table ("/p/Cargo.toml [package.metadata.krust]"), or "" for
	// a source whose keys name themselves, such as the command line's
	// flags or the environment's variables. merge leaves it empty.
	Source string
	// Keys say how settings are written in Source, by setting name (the
	// Cargo.toml key: "ports", "base-image", "cargo-args"; "image" and
	// "repo" for Name and Repo), where that differs from the name: the
	// flags of the command line, KRUST_REPO in the environment,
	// build.cargo_args in the krust config. merge leaves it nil.
	Keys map[string]string
	// Name (a whole image name) and Repo (a prefix for REPO/PACKAGE) say
	// where the image goes: flags, the environment and the krust config's
	// default_registry give them; Cargo.toml does not.
	Name, Repo  string
	BaseImage   string
	Platforms   []string
	Libc        string
	Compression string
	// Bin (the bin key) and Bins (bins) name the binaries to put into the
	// image: one setting, which a source sets with either.
	Bin  string
	Bins []string
	// Entrypoint is the binary of Bins the image runs; empty means the
	// first.
	Entrypoint  string
	Profile     string
	Cargo       string
	CargoArgs   []string
	Args        []string
	Env         map[string]string
	User        string
	Workdir     string
	Ports       []string
	Labels      map[string]string
	Annotations map[string]string
	Tags        []string
	// SBOM and Provenance are the formats of the documents attached to
	// each image (attest.Formats), as their source writes them.
	SBOM, Provenance string
	// Files are the files put into the image by a layer of their own.
	Files []FileSpec
}

// merge combines settings, highest precedence first: each single value and
// list comes whole from the first source that sets it; maps (env, labels,
// annotations) are merged key by key, the first source that sets a key
// winning.
func merge(layers ...Settings) Settings {
	var out Settings
	for _, l := range layers {
		out.Name = firstString(out.Name, l.Name)
		out.Repo = firstString(out.Repo, l.Repo)
		out.BaseImage = firstString(out.BaseImage, l.BaseImage)
		out.Libc = firstString(out.Libc, l.Libc)
		out.Compression = firstString(out.Compression, l.Compression)
		if out.Bin == "" && len(out.Bins) == 0 {
			out.Bin, out.Bins = l.Bin, append([]string(nil), l.Bins...)
		}
		out.Entrypoint = firstString(out.Entrypoint, l.Entrypoint)
		out.Profile = firstString(out.Profile, l.Profile)
		out.Cargo = firstString(out.Cargo, l.Cargo)
		out.User = firstString(out.User, l.User)
		out.Workdir = firstString(out.Workdir, l.Workdir)
		out.SBOM = firstString(out.SBOM, l.SBOM)
		out.Provenance = firstString(out.Provenance, l.Provenance)
		out.Platforms = firstList(out.Platforms, l.Platforms)
		out.CargoArgs = firstList(out.CargoArgs, l.CargoArgs)
		out.Args = firstList(out.Args, l.Args)
		out.Ports = firstList(out.Ports, l.Ports)
		out.Tags = firstList(out.Tags, l.Tags)
		out.Files = firstList(out.Files, l.Files)
		out.Env = mergeMap(out.Env, l.Env)
		out.Labels = mergeMap(out.Labels, l.Labels)
		out.Annotations = mergeMap(out.Annotations, l.Annotations)
	}
	return out
}

// firstString returns the first value that is set.
func firstString(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func firstList[T any](have, next []T) []T {
	if len(have) > 0 {
		return have
	}
	return append([]T(nil), next...)
}

// mergeMap adds next's keys that have does not set yet.
func mergeMap(have, next map[string]string) map[string]string {
	if len(next) == 0 {
		return have
	}
	out := maps.Clone(have)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range next {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out
}

// ImageKeys are the keys Cargo.toml metadata and the krust config share;
// each is one word, so Cargo's kebab-case and the config's snake_case agree.
type ImageKeys struct {
	Platforms   []string          `toml:"platforms"`
	Libc        string            `toml:"libc"`
	Compression string            `toml:"compression"`
	Bin         string            `toml:"bin"`
	Bins        []string          `toml:"bins"`
	Entrypoint  string            `toml:"entrypoint"`
	Profile     string            `toml:"profile"`
	Cargo       string            `toml:"cargo"`
	Args        []string          `toml:"args"`
	Env         map[string]string `toml:"env"`
	User        string            `toml:"user"`
	Workdir     string            `toml:"workdir"`
	Ports       []any             `toml:"ports" kinds:"integer string"`
	Labels      map[string]string `toml:"labels"`
	Annotations map[string]string `toml:"annotations"`
	Tags        []string          `toml:"tags"`
	// SBOM and Provenance are each a string (checked by Settle) or a
	// boolean: false is "none", true the default ("spdx", "slsa").
	SBOM       any `toml:"sbom" kinds:"string boolean"`
	Provenance any `toml:"provenance" kinds:"string boolean"`
}

// settings converts the keys; source names the file (and table) for
// errors, which report every key of the wrong kind at once.
func (k ImageKeys) settings(source string) (Settings, error) {
	var errs []error
	ports, err := portList(k.Ports)
	if err != nil {
		errs = append(errs, fmt.Errorf("%w ports (ports in %s): %v", ErrInvalidSetting, source, err))
	}
	sbom, err := switchValue(k.SBOM, attest.SBOM, sbomRule)
	if err != nil {
		errs = append(errs, fmt.Errorf("%w sbom (sbom in %s): %v", ErrInvalidSetting, source, err))
	}
	provenance, err := switchValue(k.Provenance, attest.Provenance, provenanceRule)
	if err != nil {
		errs = append(errs, fmt.Errorf("%w provenance (provenance in %s): %v", ErrInvalidSetting, source, err))
	}
	if k.Bin != "" && len(k.Bins) > 0 {
		errs = append(errs, fmt.Errorf("%w bins (bin and bins in %s): both name the binaries; keep one (bins = [%q, ...])", ErrInvalidSetting, source, k.Bin))
	}
	if err := problems.Join(errs...); err != nil {
		return Settings{}, err
	}
	return Settings{
		Source: source, Bins: k.Bins, Entrypoint: k.Entrypoint,
		Platforms: k.Platforms, Libc: k.Libc, Compression: k.Compression, Bin: k.Bin, Profile: k.Profile, Cargo: k.Cargo, Args: k.Args, Env: k.Env,
		User: k.User, Workdir: k.Workdir, Ports: ports, Labels: k.Labels, Annotations: k.Annotations, Tags: k.Tags,
		SBOM: sbom, Provenance: provenance,
	}, nil
}

// portList reads ports given as numbers (8080) or strings ("8080",
// "8080/tcp", "53/udp").
func portList(values []any) ([]string, error) {
	var out []string
	for _, v := range values {
		switch v := v.(type) {
		case int64:
			out = append(out, strconv.FormatInt(v, 10))
		case string:
			out = append(out, v)
		default:
			return nil, fmt.Errorf("%s is not a port: want an integer or a string, e.g. 8080 or \"53/udp\"", tomlValue(v))
		}
	}
	return out, nil
}
