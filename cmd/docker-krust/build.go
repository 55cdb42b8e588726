package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/publish"
	"github.com/docker-krust/docker-krust/remote"
	"github.com/docker-krust/docker-krust/sign"
	"github.com/spf13/cobra"
)

func newBuildCommand(env *environment) *cobra.Command {
	var f buildFlags
	cmd := &cobra.Command{
		Use:   "build [DIRECTORY|CARGO_TOML] [-- CARGO_ARGS...]",
		Short: "Build a Cargo project into an OCI image and push it",
		Long: "Build the Cargo project in DIRECTORY (default: the current directory; as for\n" +
			"cargo, the nearest Cargo.toml upward, or a Cargo.toml given by path) with\n" +
			"`cargo build --profile release` (or --profile) into a static executable, put it\n" +
			"at /app/NAME on the base image, write the image to an OCI layout and push it.\n" +
			"Arguments after -- go to cargo.\n\n" +
			"Settings come from flags, then KRUST_REPO/KRUST_IMAGE, then\n" +
			"[package.metadata.krust] and [workspace.metadata.krust] in Cargo.toml, then\n" +
			"~/.config/krust/config.toml, then defaults.\n\n" +
			"stdout gets exactly one line: the pushed image as REGISTRY/REPO@sha256:DIGEST,\n" +
			"or with --no-push oci:LAYOUT_DIR:TAG, which skopeo and podman accept as it is,\n" +
			"or with --load and no registry the image ID (sha256:...), which docker run accepts.\n\n" +
			"Paths to write (--tarball, --image-refs, --sbom-dir, --oci-layout) are checked\n" +
			"before cargo runs. Refused: a path inside an OCI layout (this build's, the\n" +
			"base's, anyone's) or krust's layer cache, after links and .. are resolved; a\n" +
			"directory, device or socket where a file goes; - or the file that is krust's\n" +
			"stdout (it carries the reference alone); two outputs naming one file. A link is\n" +
			"followed: its target is written, the link stays. A regular file is replaced\n" +
			"whole (temp file, fsync, rename), so a failure leaves the old one. A named pipe,\n" +
			"or bash's --tarball >(docker load), is written as a stream; krust waits for its\n" +
			"reader up to --timeout.",
		Example: strings.ReplaceAll("  KRUST_REPO=ghcr.io/me FACE build\n"+
			"  docker run --rm \"$(FACE build --repo localhost:5000)\"\n"+
			"  docker run --rm \"$(FACE build --load)\"\n"+
			"  FACE build --platform linux/amd64,linux/arm64 --env RUST_LOG=info --port 8080\n"+
			"  FACE build --no-push --base scratch --libc glibc ./example/hello-krust -- --locked", "FACE", env.face),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd.Context(), env, cmd, args)
		},
	}
	f.register(cmd.Flags())
	registerCompletions(cmd)
	return cmd
}

// run settles the build's settings and checks them, then builds the
// package and publishes it where the flags say (see publish.Build).
func (f *buildFlags) run(ctx context.Context, env *environment, cmd *cobra.Command, args []string) error {
	if f.severalPackages() {
		return f.runAll(ctx, env, cmd, args)
	}
	s, err := f.settle(ctx, env, cmd, args, f.onePackage(), nil)
	if err != nil {
		return err
	}
	if err := f.ready(env, &s); err != nil {
		return err
	}
	b, err := f.builderFor(ctx, env, s)
	if err != nil {
		return err
	}
	_, err = publish.Build(ctx, b, s.req, func(plan *builder.Plan) (publish.Destinations, error) {
		return f.destinations(env, plan, s.r, s.out, s.client)
	})
	return err
}

// ready checks what the settled build needs besides its settings (the
// documents' directory, the builder) and makes its registry client.
func (f *buildFlags) ready(env *environment, s *settled) error {
	if err := checkDocuments(f.sbomDir, s.r); err != nil {
		return err
	}
	// Without a push or a load, stdout is the layout's reference.
	s.req.PrintsLayoutRef = !s.out.push && !s.out.load
	s.cargo.Command = s.r.Cargo
	if err := s.cargo.CheckBuilder(); err != nil {
		return err
	}
	var err error
	s.client, err = f.registry.client(env, s.cfg)
	return err
}

// builderFor is the Builder of the settled build.
// Its signing key, if any, is loaded now, before anything is built.
func (f *buildFlags) builderFor(ctx context.Context, env *environment, s settled) (*builder.Builder, error) {
	key, err := f.signingKey(ctx, env, s.cfg)
	if err != nil {
		return nil, err
	}
	b := &builder.Builder{Cargo: s.cargo, Puller: basePuller{s.client}, Log: env.stderr, Version: version, Signer: key, SignFormat: sign.Format(f.signFormat)}
	if s.out.push {
		// Checked with the base and the Rust targets, before cargo runs.
		b.PushCheck = s.client
	}
	return b, nil
}

// destinations says where the planned build goes, once every path it
// writes is checked (the layout is settled then), before cargo runs.
func (f *buildFlags) destinations(env *environment, plan *builder.Plan, r config.Settled, out outputs, client *remote.Client) (publish.Destinations, error) {
	if out.push && plan.Ref == nil {
		return publish.Destinations{}, errNowhereToPush
	}
	files, err := f.checkOutputs(env, plan, r)
	if err != nil {
		return publish.Destinations{}, err
	}
	d := publish.Destinations{Name: out.name, Files: files, Stdout: env.stdout, Log: env.stderr}
	if out.push {
		d.Push = client
	}
	if out.load {
		d.Engine = engineLoad{env: env, timeout: out.timeout}
	}
	return d, nil
}

// fileSettings asks cargo about the project, selects the package to build
// (the one the build is then for) and reads the settings that its
// Cargo.toml, the workspace's and the krust config give.
// proj, when known, is what cargo said of the project already.
func fileSettings(ctx context.Context, env *environment, cfg *config.Config, c *cargo.Cargo, dir, pkgName string, proj *cargo.Project) (*cargo.Project, cargo.Package, config.Sources, error) {
	var src config.Sources
	var err error
	if proj == nil {
		if proj, err = c.Metadata(ctx, dir); err != nil {
			return nil, cargo.Package{}, src, err
		}
	}
	pkg, err := proj.SelectPackage(dir, pkgName)
	if err != nil {
		return nil, cargo.Package{}, src, err
	}
	src.Package, src.Workspace, err = config.CargoSettings(pkg.ManifestPath, filepath.Join(proj.WorkspaceRoot, "Cargo.toml"), env.stderr)
	if err != nil {
		return nil, cargo.Package{}, src, err
	}
	path, _ := config.Path(env.getenv)
	if src.User, err = cfg.Settings(path); err != nil {
		return nil, cargo.Package{}, src, err
	}
	return proj, pkg, src, nil
}

// projectDir reads [DIRECTORY] [-- CARGO_ARGS...].
func projectDir(cmd *cobra.Command, args []string) (string, []string, error) {
	dirArgs, cargoArgs := args, []string(nil)
	if dash := cmd.ArgsLenAtDash(); dash >= 0 {
		dirArgs, cargoArgs = args[:dash], args[dash:]
	}
	if len(dirArgs) > 1 {
		return "", nil, fmt.Errorf("build takes one project directory, got %d (%v): put cargo's arguments after --", len(dirArgs), dirArgs)
	}
	dir := "."
	if len(dirArgs) == 1 {
		dir = dirArgs[0]
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, fmt.Errorf("project directory %s: %w", dir, err)
	}
	return abs, cargoArgs, nil
}
