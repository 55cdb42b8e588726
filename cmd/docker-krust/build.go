package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/docker-krust/docker-krust/build"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/imageref"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/docker-krust/docker-krust/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// defaultBase is the base image used when neither --base nor the config
// names one.
const defaultBase = "gcr.io/distroless/static:nonroot"

// buildFlags holds the build command's flags as given.
type buildFlags struct {
	image, repo, platform, base, libc, layoutDir, bin, pkg, cargo string
	tags                                                          []string
	noPush                                                        bool
	registry                                                      registryFlags
}

func newBuildCommand(env *environment) *cobra.Command {
	var f buildFlags
	cmd := &cobra.Command{
		Use:   "build [DIRECTORY] [-- CARGO_ARGS...]",
		Short: "Build a Cargo project into an OCI image and push it",
		Long: "Build the Cargo project in DIRECTORY (default: the current directory) with\n" +
			"`cargo build --release` into a static executable, put it at /app/NAME on the\n" +
			"base image, write the image to an OCI layout and push it. Arguments after --\n" +
			"go to cargo.\n\n" +
			"stdout gets exactly one line: the pushed image as REGISTRY/REPO@sha256:DIGEST,\n" +
			"or with --no-push oci:LAYOUT_DIR:TAG, which skopeo and podman accept as it is.",
		Example: "  KRUST_REPO=ghcr.io/me docker krust build\n" +
			"  docker run $(docker krust build --repo localhost:5000)\n" +
			"  krust build --no-push --base scratch --libc glibc ./example/hello-krust -- --locked",
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd.Context(), env, cmd, args)
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// register defines the build flags on fl.
func (f *buildFlags) register(fl *pflag.FlagSet) {
	fl.StringVarP(&f.image, "image", "i", "", "whole image name, e.g. registry.example.com/team/app (env KRUST_IMAGE)")
	fl.StringVar(&f.repo, "repo", "", "repository prefix; the image is REPO/PACKAGE (env KRUST_REPO, config default_registry)")
	fl.StringVar(&f.platform, "platform", "linux/amd64", "platforms to build for, comma-separated (linux/amd64, linux/arm64, linux/arm/v7), or all that the base offers; several give an image index")
	fl.BoolVar(&f.noPush, "no-push", false, "write the OCI layout only and print oci:DIR:TAG")
	fl.StringVar(&f.base, "base", "", "base image: a registry reference, scratch, or oci:PATH[:TAG] (default: config base_image, else "+defaultBase+")")
	fl.StringVar(&f.libc, "libc", string(cargo.Musl), "C library to link statically: musl or glibc")
	fl.StringVar(&f.layoutDir, "oci-layout", "", "OCI layout directory to write (default: krust/oci under cargo's target directory)")
	fl.StringArrayVar(&f.tags, "tag", []string{"latest"}, "tag of the image, in the layout and the registry (repeatable)")
	fl.StringVar(&f.bin, "bin", "", "binary to build when the package has several")
	fl.StringVarP(&f.pkg, "package", "p", "", "workspace member to build")
	fl.StringVar(&f.cargo, "cargo", "", `cargo-compatible builder to run instead of cargo, e.g. "cross" or "cargo zigbuild" (config key cargo)`)
	f.registry.register(fl)
}

// run builds, then pushes unless --no-push, and prints the one line.
func (f *buildFlags) run(ctx context.Context, env *environment, cmd *cobra.Command, args []string) error {
	cfg, err := env.krustConfig()
	if err != nil {
		return err
	}
	opts, err := f.options(env, cfg, cmd, args)
	if err != nil {
		return err
	}
	if !f.noPush && opts.Image == "" && opts.Repo == "" {
		return errors.New("no registry to push to: set --repo or KRUST_REPO (e.g. ghcr.io/you), or --image, or default_registry in the krust config; or add --no-push to stop at the OCI layout")
	}
	client, err := f.registry.client(env, cfg)
	if err != nil {
		return err
	}
	opts.Puller = client
	if !f.noPush {
		if err := pingTarget(ctx, client, opts); err != nil {
			return err
		}
	}
	builder := &cargo.Cargo{Command: firstSet(f.cargo, cfg.Cargo), Env: env.environ(), Stderr: env.stderr, Verbose: f.registry.verbose}
	res, err := build.Run(ctx, builder, opts)
	if err != nil {
		return err
	}
	if f.noPush {
		_, err = fmt.Fprintf(env.stdout, "oci:%s:%s\n", res.LayoutDir, res.Tags[0])
		return err
	}
	return pushBuilt(ctx, env, client, res)
}

// options turns the flags, arguments, environment and config into build
// options. Precedence: flags, then environment, then config, then defaults.
func (f *buildFlags) options(env *environment, cfg *config.Config, cmd *cobra.Command, args []string) (build.Options, error) {
	dirArgs, cargoArgs := splitArgs(cmd, args)
	if len(dirArgs) > 1 {
		return build.Options{}, fmt.Errorf("build takes one project directory, got %d (%v): put cargo's arguments after --", len(dirArgs), dirArgs)
	}
	dir := "."
	if len(dirArgs) == 1 {
		dir = dirArgs[0]
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return build.Options{}, fmt.Errorf("project directory %s: %w", dir, err)
	}
	platforms, all, err := parsePlatforms(f.platform)
	if err != nil {
		return build.Options{}, fmt.Errorf("--platform: %w", err)
	}
	libc, err := cargo.ParseLibc(f.libc)
	if err != nil {
		return build.Options{}, err
	}
	created, err := sourceDateEpoch(env.getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return build.Options{}, err
	}
	return build.Options{
		Dir: absDir, Package: f.pkg, Bin: f.bin, Platforms: platforms, AllPlatforms: all, Libc: libc,
		CargoArgs: append(append([]string(nil), cfg.Build.CargoArgs...), cargoArgs...),
		Base:      firstSet(f.base, cfg.BaseImage, defaultBase), LayoutDir: f.layoutDir, Tags: f.tags,
		Image:   firstSet(f.image, env.getenv("KRUST_IMAGE")),
		Repo:    firstSet(f.repo, env.getenv("KRUST_REPO"), cfg.DefaultRegistry),
		Created: created, Log: env.stderr, Verbose: f.registry.verbose, CargoHome: cargoHome(env.getenv),
	}, nil
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

// parsePlatforms reads --platform: a comma-separated list, or "all".
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

// pushBuilt pushes a build's image and prints its reference by digest.
func pushBuilt(ctx context.Context, env *environment, client *remote.Client, res build.Result) error {
	store, err := openLayout(res.LayoutDir)
	if err != nil {
		return err
	}
	pushed, err := client.Push(ctx, store, res.Manifest, res.Image, remote.PushOptions{Tags: res.Tags, MountFrom: res.Bases})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(env.stdout, pushed.Reference)
	return err
}

// pingTarget checks the registry to push to before anything is built.
func pingTarget(ctx context.Context, client *remote.Client, opts build.Options) error {
	named, err := imageref.Name(opts.Image, opts.Repo, "probe")
	if err != nil {
		return err
	}
	return client.Ping(ctx, named)
}

// splitArgs separates the arguments before -- from cargo's after it.
func splitArgs(cmd *cobra.Command, args []string) ([]string, []string) {
	dash := cmd.ArgsLenAtDash()
	if dash < 0 {
		return args, nil
	}
	return args[:dash], args[dash:]
}

// sourceDateEpoch reads SOURCE_DATE_EPOCH; unset means the Unix epoch.
func sourceDateEpoch(v string) (time.Time, error) {
	if v == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil || sec < 0 {
		return time.Time{}, fmt.Errorf("invalid SOURCE_DATE_EPOCH %q: want a non-negative number of seconds since 1970-01-01", v)
	}
	return time.Unix(sec, 0).UTC(), nil
}

func firstSet(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
