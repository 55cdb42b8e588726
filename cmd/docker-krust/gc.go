package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/human"
	"github.com/docker-krust/docker-krust/layout"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

// gcFlags holds the gc command's flags.
type gcFlags struct {
	dryRun, wait, verbose bool
}

func newGCCommand(env *environment) *cobra.Command {
	var f gcFlags
	cmd := &cobra.Command{
		Use:   "gc [LAYOUT]",
		Short: "Remove the blobs of an OCI layout that no tag uses any more",
		Long: "Remove from the OCI layout LAYOUT the blobs index.json no longer reaches: the\n" +
			"manifests, configs and layers of images whose tags went to newer builds, their\n" +
			"referrers, the SBOM and provenance a rebuild replaced, and referrers index.json\n" +
			"does not list. Tagged images, the referrers index.json lists (SBOM, provenance,\n" +
			"signatures oras attach added) and the base images they name are kept.\n" +
			"LAYOUT is a directory or oci:DIR; the default is every layout build wrote for\n" +
			"the Cargo project in the current directory (under krust/ in cargo's target\n" +
			"directory, one a package and binary).\n\n" +
			"gc never runs while a build or push is using the layout: it fails at once,\n" +
			"or with --wait waits for them to end. What it freed goes to stderr;\n" +
			"stdout stays empty.",
		Example: "  krust gc\n" +
			"  docker krust gc --dry-run ./target/krust/api/api",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd.Context(), env, args)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.dryRun, "dry-run", false, "list what would be removed and remove nothing")
	fl.BoolVar(&f.wait, "wait", false, "wait for running builds and pushes to end instead of failing")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "list every blob removed")
	return cmd
}

// run collects the layout's garbage and reports it on stderr. Nothing goes
// to stdout: gc makes nothing a script would pass on, and krust's stdout is
// only ever what the next command consumes.
func (f *gcFlags) run(ctx context.Context, env *environment, args []string) error {
	dirs, err := gcLayoutDirs(ctx, env, args)
	if err != nil {
		return err
	}
	for _, dir := range dirs {
		if err := f.collect(ctx, env, dir); err != nil {
			return err
		}
	}
	return nil
}

// collect removes the garbage of the layout in dir.
func (f *gcFlags) collect(ctx context.Context, env *environment, dir string) error {
	store, err := openGCLayout(dir)
	if err != nil {
		return err
	}
	verb := "removed"
	if f.dryRun {
		verb = "would remove"
	}
	opts := layout.GCOptions{DryRun: f.dryRun, Wait: f.wait}
	if f.verbose || f.dryRun {
		opts.Removed = func(d ocispec.Descriptor) {
			fmt.Fprintf(env.stderr, "%s %s (%s)\n", verb, d.Digest, human.Bytes(d.Size))
		}
	}
	res, err := store.GC(ctx, opts)
	if errors.Is(err, layout.ErrInUse) {
		return fmt.Errorf("%w: a build or push is using it; run gc again when it has ended, or add --wait", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stderr, "gc %s: %s %s (%s), kept %s (%s)%s\n", store.Dir(), verb,
		human.Count(res.Removed, "blob"), human.Bytes(res.RemovedBytes), human.Count(res.Kept, "blob"), human.Bytes(res.KeptBytes), temps(res, verb))
	return nil
}

// gcLayoutDirs returns the layouts gc works on: the argument, or every
// layout krust build wrote under the target directory of the Cargo
// project found from the current directory (one a package and binary).
func gcLayoutDirs(ctx context.Context, env *environment, args []string) ([]string, error) {
	if len(args) == 1 {
		dir, tag, ok := layout.ParseRef(args[0])
		if !ok {
			return []string{args[0]}, nil
		}
		if tag != "" {
			return nil, fmt.Errorf("gc cleans a whole layout, not one image: drop :%s (krust gc oci:%s)", tag, dir)
		}
		return []string{dir}, nil
	}
	manifest, err := cargo.FindManifest(".")
	if err != nil {
		return nil, fmt.Errorf("no LAYOUT given and no Cargo.toml here or above: name the layout (krust gc DIR), or run gc in the Cargo project whose layouts to clean: %w", err)
	}
	proj, err := cargo.Cargo{Env: env.cargoEnviron()}.Metadata(ctx, filepath.Dir(manifest))
	if err != nil {
		return nil, fmt.Errorf("no LAYOUT given, and cargo cannot say where the project's layouts are (name one: krust gc DIR): %w", err)
	}
	root := builder.LayoutsDir(proj.TargetDir)
	dirs, err := builder.DefaultLayouts(proj.TargetDir)
	if err != nil {
		return nil, err
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("no OCI layouts under %s: krust build writes them there unless --oci-layout names another (name it: krust gc DIR)", root)
	}
	return dirs, nil
}

// openGCLayout opens dir, explaining what gc wants when dir is not a layout.
func openGCLayout(dir string) (*layout.Layout, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("OCI layout %s: %w", dir, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("no OCI layout at %s (%w): name the layout krust build wrote (--oci-layout, default krust/PACKAGE/BIN under cargo's target directory)", abs, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory: gc takes an OCI image layout directory, holding oci-layout, index.json and blobs/", abs)
	}
	store, err := layout.Open(abs)
	if errors.Is(err, layout.ErrNotLayout) {
		return nil, fmt.Errorf("%w; gc takes an OCI image layout directory, holding oci-layout, index.json and blobs/", err)
	}
	return store, err
}

// temps describes the temp files of interrupted builds gc removed, if any.
func temps(res layout.GCResult, verb string) string {
	if res.Temps == 0 {
		return ""
	}
	return fmt.Sprintf("; %s %s of interrupted builds (%s)", verb, human.Count(res.Temps, "temp file"), human.Bytes(res.TempBytes))
}
