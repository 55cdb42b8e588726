package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/imageref"
	"github.com/docker-krust/docker-krust/resolve"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// resolveFlags are resolve's, apply's and delete's: the YAML to read and,
// but for delete, every build flag.
type resolveFlags struct {
	build     buildFlags
	files     []string
	recursive bool
}

func (f *resolveFlags) registerFiles(fl *pflag.FlagSet) {
	fl.StringArrayVarP(&f.files, "filename", "f", nil, "YAML or JSON to read: a file, a directory (its .yaml, .yml and .json files, in name order) or - for stdin (repeatable, read in the order given)")
	fl.BoolVarP(&f.recursive, "recursive", "R", false, "read the directories -f names recursively")
}

// notForResolve are the build flags that name one image or pick
// packages: the references do that.
func notForResolve() []string {
	return []string{"image", "oci-layout", "tarball", "no-push", "package", "workspace", "exclude", "bin", "entrypoint"}
}

func newResolveCommand(env *environment) *cobra.Command {
	var f resolveFlags
	cmd := &cobra.Command{
		Use:   "resolve -f FILE|DIR|- [-f ...] [-R]",
		Short: "Build and push every krust:// image of Kubernetes YAML, and print the YAML with their references",
		Long: "Read the YAML (or JSON) that -f names and replace every string value krust://REF, in\n" +
			"any field of any document, with the reference by digest of the image built from\n" +
			"REF and pushed: REF is a package of the workspace found from the current directory\n" +
			"(krust://api), or a path to a Cargo project relative to it (krust://./services/api),\n" +
			"either optionally followed by /BIN for one binary of the package.\n\n" +
			"Each image is built once, all of them with one cargo build per platform, and pushed\n" +
			"concurrently (-j). Every build setting applies to each image, as for build.\n" +
			"stdout gets the YAML alone, which differs from the input only in the replaced\n" +
			"values (documents of several inputs are joined with ---); nothing is built or\n" +
			"printed unless every input parses and every reference names a package.",
		Example: strings.ReplaceAll("  KRUST_REPO=127.0.0.1:5000/team FACE resolve -f deploy/ > resolved.yaml\n"+
			"  FACE resolve -f - --platform linux/amd64,linux/arm64 < service.yaml", "FACE", env.face),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := f.resolve(cmd.Context(), env, cmd)
			if err != nil {
				return err
			}
			_, err = env.stdout.Write(out)
			return err
		},
	}
	f.registerAll(cmd)
	return cmd
}

// registerAll registers -f, -R and the build flags that apply.
func (f *resolveFlags) registerAll(cmd *cobra.Command) {
	f.registerFiles(cmd.Flags())
	f.build.register(cmd.Flags())
	for _, name := range notForResolve() {
		_ = cmd.Flags().MarkHidden(name)
	}
	registerCompletions(cmd)
}

// resolve reads the YAML, builds and pushes what its references name, and
// returns the YAML with each reference replaced.
func (f *resolveFlags) resolve(ctx context.Context, env *environment, cmd *cobra.Command) ([]byte, error) {
	if err := f.check(cmd); err != nil {
		return nil, err
	}
	sources, err := f.read(ctx, env)
	if err != nil {
		return nil, err
	}
	found, err := resolve.Find(sources)
	if err != nil {
		return nil, err
	}
	if len(found.Refs) == 0 {
		return found.Rewrite(nil)
	}
	refs, err := f.buildRefs(ctx, env, cmd, found)
	if err != nil {
		return nil, err
	}
	return found.Rewrite(refs)
}

// read reads the inputs -f names. Standard input is read aside, so that
// Ctrl-C ends a wait for a writer that never writes.
func (f *resolveFlags) read(ctx context.Context, env *environment) ([]resolve.Source, error) {
	stdin := io.Reader(strings.NewReader(""))
	if slices.Contains(f.files, "-") {
		data := make(chan []byte, 1)
		failed := make(chan error, 1)
		go func() {
			b, err := io.ReadAll(io.LimitReader(env.stdin, resolve.MaxFileSize+1))
			if err != nil {
				failed <- fmt.Errorf("read -f - (stdin): %w", err)
				return
			}
			data <- b
		}()
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("read -f - (stdin): %w", context.Cause(ctx))
		case err := <-failed:
			return nil, err
		case b := <-data:
			stdin = bytes.NewReader(b)
		}
	}
	return resolve.ReadSources(f.files, stdin, f.recursive)
}

// check refuses what resolve cannot do.
func (f *resolveFlags) check(cmd *cobra.Command) error {
	var errs []error
	if len(f.files) == 0 {
		errs = append(errs, errNoInput)
	}
	for _, name := range notForResolve() {
		if cmd.Flags().Changed(name) {
			errs = append(errs, fmt.Errorf("--%s does not apply to %s: each krust:// reference names its package (krust://PACKAGE[/BIN] or krust://./PATH[/BIN]), and its image is pushed", name, cmd.Name()))
		}
	}
	if f.build.jobs < 1 {
		errs = append(errs, fmt.Errorf("-j %d: want at least 1", f.build.jobs))
	}
	return errors.Join(errs...)
}

// buildRefs builds and pushes the image of each reference, all together,
// and returns each reference's image by digest.
func (f *resolveFlags) buildRefs(ctx context.Context, env *environment, cmd *cobra.Command, found *resolve.Found) (map[string]string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("the current directory, which krust:// references start from: %w", err)
	}
	c := &cargo.Cargo{Env: env.cargoEnviron(), Stderr: env.stderr, Verbose: f.build.registry.verbose, Memo: &cargo.Memo{}}
	finder := refFinder{c: c, cwd: cwd, seen: map[string]*cargo.Project{}}
	byRef, targets, err := finder.targets(ctx, found)
	if err != nil {
		return nil, err
	}
	all, err := f.settleTargets(ctx, env, cmd, targets)
	if err != nil {
		return nil, err
	}
	pushed, err := f.build.publishSettled(ctx, env, all, c.Memo, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for ref, t := range byRef {
		for i, d := range targets {
			if d.key() == t.key() {
				out[ref] = pushed[i]
			}
		}
	}
	return out, nil
}

// settleTargets settles the build of each target, reporting every
// problem at once; each must be pushed, for a cluster pulls it.
func (f *resolveFlags) settleTargets(ctx context.Context, env *environment, cmd *cobra.Command, targets []refTarget) ([]settled, error) {
	var all []settled
	var errs []error
	for _, t := range targets {
		tf := f.build
		tf.at = t.proj.WorkspaceRoot
		if t.bin != "" {
			tf.bins = []string{t.bin}
		}
		s, err := tf.settle(ctx, env, cmd, nil, t.pkg, t.proj)
		if err == nil {
			err = tf.ready(env, &s)
		}
		if err == nil && !s.out.push {
			err = errors.New("its image would not be pushed, and a cluster pulls images from a registry: set --repo or KRUST_REPO")
		}
		if err == nil && t.bin != "" {
			err = nameForBin(&s, t)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t, err))
			continue
		}
		all = append(all, s)
	}
	return all, errors.Join(errs...)
}

// nameForBin names the image of one binary of a package REPO/PACKAGE/BIN,
// so that it and the package's own image (REPO/PACKAGE) do not take each
// other's tags.
func nameForBin(s *settled, t refTarget) error {
	if s.req.Name != "" || s.req.Repo == "" {
		return nil
	}
	pkg, err := imageref.Component(t.pkg)
	if err == nil {
		var bin string
		if bin, err = imageref.Component(t.bin); err == nil {
			s.req.Name = s.req.Repo + "/" + pkg + "/" + bin
			return nil
		}
	}
	return fmt.Errorf("name its image %s/%s/%s: %w", s.req.Repo, t.pkg, t.bin, err)
}

// String names the target as messages do: package api, or package api's
// binary admin.
func (t refTarget) String() string {
	if t.bin == "" {
		return "package " + t.pkg
	}
	return "package " + t.pkg + "'s binary " + t.bin
}
