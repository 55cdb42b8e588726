package main

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/problems"
	"github.com/docker-krust/docker-krust/remote"
	"github.com/spf13/cobra"
)

// errNowhereToPush means a build that pushes names no image.
var errNowhereToPush = errors.New("no registry to push to: set --repo or KRUST_REPO (e.g. ghcr.io/you), or --image, or default_registry in the krust config; or add --no-push to stop at the OCI layout")

// settled is a build's settings, read from every source and checked.
type settled struct {
	cfg   *config.Config
	cargo *cargo.Cargo
	req   builder.Request
	r     config.Settled
	out   outputs
	// client is the registry client, once ready made it.
	client *remote.Client
}

// settle reads the build's settings from the flags, the environment,
// Cargo.toml and the krust config, and checks them all before cargo builds
// anything: every problem found is reported at once (a problems.List),
// each naming its source. A problem skips only what it makes impossible:
// without a project, Cargo.toml's settings cannot be read, but the
// flags', the environment's and the krust config's are still checked.
func (f *buildFlags) settle(ctx context.Context, env *environment, cmd *cobra.Command, args []string, pkgName string, proj *cargo.Project) (settled, error) {
	// One Memo per build: the image asks cargo and rustc each question once.
	s := settled{cargo: &cargo.Cargo{Env: env.cargoEnviron(), Stderr: env.stderr, Verbose: f.registry.verbose, Memo: &cargo.Memo{}}}
	var errs []error
	cfg, err := env.krustConfig()
	if err != nil {
		errs = append(errs, err)
		cfg = &config.Config{}
	}
	s.cfg = cfg
	dir, cargoArgs, proj, pkg, files, err := f.project(ctx, env, cmd, args, s.cargo, cfg, pkgName, proj)
	errs = append(errs, err)
	if files.User.Source == "" { // the project's problem came first
		path, _ := config.Path(env.getenv)
		files.User, err = cfg.Settings(path)
		errs = append(errs, err)
	}
	files.PackageName = pkg.Name
	env.sources = &files
	s.req, s.r, err = f.request(env, cmd, dir, cargoArgs, files)
	errs = append(errs, err, f.registry.check())
	if proj != nil {
		s.req.Project, s.req.Package = proj, pkg
		r := s.r
		if err != nil { // still tell whether the build has somewhere to go
			files.Flags, _ = f.settings(cmd)
			files.Getenv = env.getenv
			r.Name, r.Repo = config.Destination(files)
		}
		errs = append(errs, f.checkDestination(&s, r, err == nil, proj, pkg))
	}
	return s, problems.Join(errs...)
}

// request turns the flags and the files' settings into a build request
// (all but the project and package, which fileSettings found):
// config.Settle settles every setting, from flags to defaults, and the
// request takes them as they are.
func (f *buildFlags) request(env *environment, cmd *cobra.Command, dir string, cargoArgs []string, files config.Sources) (builder.Request, config.Settled, error) {
	flagS, flagErr := f.settings(cmd)
	files.Flags, files.CargoArgs, files.Getenv = flagS, cargoArgs, env.getenv
	r, err := config.Settle(files)
	if err = problems.Join(flagErr, err); err != nil {
		return builder.Request{}, r, err
	}
	return builder.Request{Settled: r, Dir: dir, LayoutDir: f.layoutDir, PrintsLayoutRef: f.noPush}, r, nil
}

// project finds the project the arguments name, asks cargo about it,
// selects the package to build and reads the settings of its Cargo.toml
// and the krust config. Its error is the first problem found.
func (f *buildFlags) project(ctx context.Context, env *environment, cmd *cobra.Command, args []string, c *cargo.Cargo, cfg *config.Config, pkgName string, known *cargo.Project) (
	dir string, cargoArgs []string, proj *cargo.Project, pkg cargo.Package, files config.Sources, err error) {
	if dir = f.at; dir == "" {
		if dir, cargoArgs, err = projectDir(cmd, args); err != nil {
			return "", cargoArgs, nil, pkg, files, err
		}
	}
	if err := checkPathChars("the project directory", dir, "rename or move it"); err != nil {
		return "", cargoArgs, nil, pkg, files, err
	}
	// As cargo does: DIRECTORY may be a Cargo.toml, or any directory of
	// the project (the nearest Cargo.toml upward is the project's).
	manifest, err := cargo.FindManifest(dir)
	if err != nil {
		return "", cargoArgs, nil, pkg, files, err
	}
	dir = filepath.Dir(manifest)
	proj, pkg, files, err = fileSettings(ctx, env, cfg, c, dir, pkgName, known)
	return dir, cargoArgs, proj, pkg, files, err
}

// checkDestination decides where the build goes (see outputs) and checks
// what depends on that: somewhere to push to, and an OCI layout path that
// fits on the one line of stdout when that line names it. Unless the
// settings r were settled, r holds only their name and repo, whose
// problems Settle has reported already.
func (f *buildFlags) checkDestination(s *settled, r config.Settled, settled bool, proj *cargo.Project, pkg cargo.Package) error {
	out, err := f.outputs(r, pkg.Name)
	if err != nil {
		if !settled {
			return nil
		}
		return err
	}
	s.out = out
	if out.push && r.Name == "" && r.Repo == "" {
		return errNowhereToPush
	}
	if out.push || out.load {
		return nil
	}
	if f.layoutDir != "" {
		return checkPathChars("the --oci-layout directory", f.layoutDir, "choose another")
	}
	return checkPathChars("cargo's target directory, where the OCI layout goes,", proj.TargetDir, "choose another with --oci-layout")
}
