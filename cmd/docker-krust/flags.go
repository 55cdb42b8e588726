package main

import (
	"fmt"
	"strings"

	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/problems"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// buildFlags holds the build command's flags as given.
type buildFlags struct {
	image, repo, platform, base, libc, layoutDir, cargo, entrypoint string
	user, workdir, imageRefs, profile, compression, tarball         string
	sbom, provenance, sbomDir, signKey, signFormat                  string
	tags, env, labels, annotations, ports, args                     []string
	noPush, load                                                    bool
	// bins are the --bin flags, in order.
	bins []string
	// pkgs are the -p flags, in order; workspace and exclude the
	// --workspace and --exclude flags; jobs is -j.
	pkgs, exclude []string
	workspace     bool
	jobs          int
	// files are the --file FROM:TO flags, in order.
	files    []string
	registry registryFlags
	// at is the project's directory when the command line names none
	// (krust resolve: each krust:// reference names its project).
	at string
}

// register defines the build flags on fl. Defaults shown in help are
// applied after Cargo.toml and the krust config had their say.
func (f *buildFlags) register(fl *pflag.FlagSet) {
	fl.StringVarP(&f.image, "image", "i", "", "whole image name, e.g. registry.example.com/team/app (env KRUST_IMAGE)")
	fl.StringVar(&f.repo, "repo", "", "repository prefix; the image is REPO/PACKAGE (env KRUST_REPO, config default_registry)")
	fl.StringVar(&f.platform, "platform", "", "platforms, comma-separated (linux/amd64, linux/arm64, linux/arm/v7), or all the base offers; several give an image index (default linux/amd64)")
	fl.BoolVar(&f.noPush, "no-push", false, "write the OCI layout only and print oci:DIR:TAG")
	fl.BoolVar(&f.load, "load", false, "load the image into the Docker Engine of the current Docker context and print its image ID; without a repository it is tagged krust.local/PACKAGE:TAG and not pushed (also KRUST_REPO=krust.local)")
	fl.StringVar(&f.tarball, "tarball", "", "also write the image as a tar that docker load and podman load read (without a repository, named krust.local/PACKAGE:TAG and not pushed): a file is replaced whole, a named pipe or >(docker load) gets a stream")
	fl.StringVar(&f.base, "base", "", "base image: a registry reference, scratch, or oci:PATH[:TAG] (default "+config.DefaultBase+")")
	fl.StringVar(&f.libc, "libc", "", "C library to link statically: musl or glibc (default musl)")
	fl.StringVar(&f.compression, "compression", "", "compression of the new layer: gzip, read by every engine, or zstd, smaller and faster but not read by Docker Engine 20.10 and older (default gzip)")
	fl.StringVar(&f.sbom, "sbom", "", "`FORMAT` of the SBOM of the crates linked into each platform's binary, attached to its image as an OCI referrer: spdx (SPDX 2.3 JSON), cyclonedx (CycloneDX 1.6 JSON) or none (default spdx)")
	fl.StringVar(&f.provenance, "provenance", "", "`MODE` of the build provenance attached to each platform's image as an OCI referrer: slsa (an in-toto statement with a SLSA provenance v1 predicate) or none (default slsa)")
	fl.StringVar(&f.sbomDir, "sbom-dir", "", "also write each platform's SBOM (and provenance) documents into `DIR`, named BIN[-OS-ARCH[-VARIANT]].spdx.json (or .cdx.json) and BIN[-OS-ARCH[-VARIANT]].provenance.json")
	fl.StringVar(&f.layoutDir, "oci-layout", "", "OCI layout directory to write (default: krust/PACKAGE/BIN under cargo's target directory)")
	fl.StringArrayVar(&f.tags, "tag", nil, "tag of the image, in the layout and the registry (repeatable; a tag given twice counts once; default latest)")
	fl.StringArrayVar(&f.bins, "bin", nil, "binary to build when the package has several (repeatable: each goes into the image at /app/NAME; the first is the entrypoint)")
	fl.StringVar(&f.entrypoint, "entrypoint", "", "the binary the image runs, one of the --bin ones (default: the first)")
	fl.StringArrayVarP(&f.pkgs, "package", "p", nil, "workspace member to build (repeatable: one image each, one cargo build per platform for all of them)")
	fl.BoolVar(&f.workspace, "workspace", false, "build every member of the workspace that has a binary, one image each, in the workspace's order")
	fl.StringArrayVar(&f.exclude, "exclude", nil, "with --workspace, a member not to build (repeatable)")
	fl.IntVarP(&f.jobs, "jobs", "j", defaultJobs(), "with several packages, how many images are written and published at once")
	fl.StringVar(&f.profile, "profile", "", "cargo profile to build with, e.g. dist or dev (default release)")
	fl.StringVar(&f.cargo, "cargo", "", `cargo-compatible builder to run instead of cargo, e.g. "cross" or "cargo zigbuild"`)
	fl.StringVar(&f.user, "user", "", "user the image runs as (default: the base's)")
	fl.StringVar(&f.workdir, "workdir", "", "working directory of the image (default: the base's)")
	fl.StringArrayVar(&f.env, "env", nil, "environment variable KEY=VALUE in the image (repeatable)")
	fl.StringArrayVar(&f.labels, "label", nil, "config label KEY=VALUE (repeatable)")
	fl.StringArrayVar(&f.annotations, "annotation", nil, "manifest annotation KEY=VALUE (repeatable)")
	fl.StringArrayVar(&f.ports, "port", nil, "port to expose, e.g. 8080 or 53/udp (repeatable)")
	fl.StringArrayVar(&f.args, "arg", nil, "default argument after the entrypoint, the image's Cmd (repeatable)")
	fl.StringArrayVar(&f.files, "file", nil, "put a file or directory tree of the project into the image, in a layer of its own: `FROM:TO`, FROM relative to the package's directory, TO absolute (repeatable; replaces the files in Cargo.toml)")
	fl.StringVar(&f.signKey, "sign-key", "", "sign each image, and attach its SBOM and provenance as signed attestations, with the private key in `FILE`: a key from cosign generate-key-pair (password in COSIGN_PASSWORD, else asked on the terminal) or a PKCS#8 PEM key, ECDSA P-256 or Ed25519; cosign verify --key cosign.pub checks them offline (config sign_key; none signs nothing)")
	fl.StringVar(&f.signFormat, "sign-format", "", "`FORMAT` of the image signatures --sign-key makes: bundle (Sigstore bundles as OCI 1.1 referrers, what cosign v3 writes and reads) or legacy (cosign's older sha256-DIGEST.sig tag, for cosign v2 and admission controllers that read only that) (default bundle)")
	fl.StringVar(&f.imageRefs, "image-refs", "", "also write the printed reference to this file (replaced whole) or named pipe")
	f.registry.register(fl)
}

// flagKeys names the flag of each setting, for messages (see
// config.Settings.Keys).
func flagKeys() map[string]string {
	return map[string]string{
		"image": "--image", "repo": "--repo", "base-image": "--base", "platforms": "--platform", "libc": "--libc",
		"compression": "--compression", "bin": "--bin", "bins": "--bin", "entrypoint": "--entrypoint", "profile": "--profile", "cargo": "--cargo", "user": "--user",
		"workdir": "--workdir", "env": "--env", "labels": "--label", "annotations": "--annotation", "ports": "--port",
		"args": "--arg", "tags": "--tag", "sbom": "--sbom", "provenance": "--provenance", "cargo-args": "the cargo arguments after --",
		"files": "--file",
	}
}

// settings returns the settings the flags give: only the flags the user
// set, so that defaults never hide Cargo.toml or the krust config. Its
// error reports every malformed flag at once.
func (f *buildFlags) settings(cmd *cobra.Command) (config.Settings, error) {
	fl := cmd.Flags()
	set := func(name, value string) string {
		if fl.Changed(name) {
			return value
		}
		return ""
	}
	s := config.Settings{Keys: flagKeys()}
	s.BaseImage, s.Libc, s.Cargo = set("base", f.base), set("libc", f.libc), set("cargo", f.cargo)
	if len(f.bins) == 1 {
		s.Bin = f.bins[0]
	} else {
		s.Bins = f.bins
	}
	s.Entrypoint = set("entrypoint", f.entrypoint)
	s.User, s.Workdir, s.Profile = set("user", f.user), set("workdir", f.workdir), set("profile", f.profile)
	s.Compression, s.SBOM, s.Provenance = set("compression", f.compression), set("sbom", f.sbom), set("provenance", f.provenance)
	s.Name, s.Repo = set("image", f.image), set("repo", f.repo)
	if p := set("platform", f.platform); p != "" {
		s.Platforms = strings.Split(p, ",")
	}
	s.Tags, s.Ports, s.Args = f.tags, f.ports, f.args
	var errEnv, errLabels, errAnnotations error
	s.Env, errEnv = keyValues("--env", f.env)
	s.Labels, errLabels = keyValues("--label", f.labels)
	s.Annotations, errAnnotations = keyValues("--annotation", f.annotations)
	var errFiles error
	s.Files, errFiles = fileSpecs(f.files)
	return s, problems.Join(errEnv, errLabels, errAnnotations, errFiles)
}

// fileSpecs reads repeated --file FROM:TO flags, reporting every
// malformed one.
func fileSpecs(values []string) ([]config.FileSpec, error) {
	var out []config.FileSpec
	var errs []error
	for _, v := range values {
		spec, err := config.ParseFileSpec(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w --file %q: %w", config.ErrInvalidSetting, v, err))
			continue
		}
		out = append(out, spec)
	}
	return out, problems.Join(errs...)
}

// keyValues reads repeated KEY=VALUE flags, reporting every malformed one.
func keyValues(flag string, values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	var errs []error
	for _, kv := range values {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			errs = append(errs, fmt.Errorf("invalid %s %q: want KEY=VALUE", flag, kv))
			continue
		}
		out[k] = v
	}
	return out, problems.Join(errs...)
}
