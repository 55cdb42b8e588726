package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/docker-krust/docker-krust/build"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// defaultBase is the base image used when --base is not given.
const defaultBase = "gcr.io/distroless/static:nonroot"

// buildFlags holds the build command's flags as given.
type buildFlags struct {
	image, repo, platform, base, libc, layoutDir, tag, bin, pkg string
	noPush, verbose                                             bool
}

func newBuildCommand(env *environment) *cobra.Command {
	var f buildFlags
	cmd := &cobra.Command{
		Use:   "build [DIRECTORY] [-- CARGO_ARGS...]",
		Short: "Build a Cargo project into an OCI image",
		Long: "Build the Cargo project in DIRECTORY (default: the current directory) with\n" +
			"`cargo build --release` into a static executable, put it at /app/NAME on the\n" +
			"base image and write the image to an OCI layout. Arguments after -- go to cargo.\n\n" +
			"stdout gets exactly one line: with --no-push, oci:LAYOUT_DIR:TAG, which skopeo\n" +
			"and podman accept as it is.",
		Example: "  krust build --no-push --base scratch --libc glibc ./example/hello-krust\n" +
			"  docker krust build --no-push -- --features metrics",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := f.options(env, cmd, args)
			if err != nil {
				return err
			}
			if !f.noPush {
				return errors.New("pushing to a registry is not available in this version: add --no-push to write an OCI layout, then push it with skopeo or crane")
			}
			res, err := build.Run(cmd.Context(), &cargo.Cargo{
				Env: env.environ(), Stderr: env.stderr, Verbose: f.verbose,
			}, opts)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(env.stdout, "oci:%s:%s\n", res.LayoutDir, res.Tag)
			return err
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// register defines the build flags on fl.
func (f *buildFlags) register(fl *pflag.FlagSet) {
	fl.StringVarP(&f.image, "image", "i", "", "whole image name, e.g. registry.example.com/team/app (env KRUST_IMAGE)")
	fl.StringVar(&f.repo, "repo", "", "repository prefix; the image is REPO/PACKAGE (env KRUST_REPO)")
	fl.StringVar(&f.platform, "platform", "linux/amd64", "platform to build for: linux/amd64, linux/arm64 or linux/arm/v7")
	fl.BoolVar(&f.noPush, "no-push", false, "write the OCI layout only and print oci:DIR:TAG")
	fl.StringVar(&f.base, "base", defaultBase, "base image: scratch, or oci:PATH[:TAG] for an image in an OCI layout")
	fl.StringVar(&f.libc, "libc", string(cargo.Musl), "C library to link statically: musl or glibc")
	fl.StringVar(&f.layoutDir, "oci-layout", "", "OCI layout directory to write (default: krust/oci under cargo's target directory)")
	fl.StringVar(&f.tag, "tag", "latest", "tag of the image in the layout")
	fl.StringVar(&f.bin, "bin", "", "binary to build when the package has several")
	fl.StringVarP(&f.pkg, "package", "p", "", "workspace member to build")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "print more detail on stderr")
}

// options turns the flags, arguments and environment into build options.
func (f *buildFlags) options(env *environment, cmd *cobra.Command, args []string) (build.Options, error) {
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
	platform, err := oci.ParsePlatform(f.platform)
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
		Dir: absDir, Package: f.pkg, Bin: f.bin, Platform: platform, Libc: libc,
		CargoArgs: cargoArgs, Base: f.base, LayoutDir: f.layoutDir, Tag: f.tag,
		Image: firstSet(f.image, env.getenv("KRUST_IMAGE")), Repo: firstSet(f.repo, env.getenv("KRUST_REPO")),
		Created: created, Log: env.stderr, Verbose: f.verbose,
	}, nil
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
