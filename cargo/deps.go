package cargo

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/internal/procgroup"
)

// DepsRequest says which binary's graph to read; its fields mean what
// BuildRequest's do.
type DepsRequest struct {
	// Dir is where cargo runs; ManifestDir (empty means Dir) is where it is
	// told Cargo.toml is, as in BuildRequest.
	Dir, ManifestDir string
	// Package is the workspace member built; empty means the package of
	// the manifest.
	Package string
	// Packages are all the members the build built together with Package
	// (BuildRequest.Packages), Package among them, when several: cargo
	// resolves their features together, so a dependency one of them
	// enables a feature of has it in all of them, and the graph is read
	// with all of them. None means Package alone.
	Packages []string
	// Bin is the binary target built, which must be one of the package's
	// ("" checks nothing).
	Bin string
	// Triple is the target triple built for.
	Triple string
	// Args are the user's cargo build arguments. Graph passes on those
	// that change resolution (features, --all-features,
	// --no-default-features, --locked, --offline, --frozen, --config, -Z)
	// and ignores the others.
	Args []string
	// Built are the packages the build for Triple compiled
	// (Artifact.Packages). Every crate linked must be one of them: its
	// package ID and, outside the workspace, its Cargo.toml come from
	// there.
	Built []BuiltPackage
}

func (r DepsRequest) manifest() string {
	dir := r.ManifestDir
	if dir == "" {
		dir = r.Dir
	}
	return filepath.Join(dir, ManifestName)
}

// Graph returns what cargo links into req's binary for req.Triple: the
// package built and the crates it reaches through normal dependencies for
// that target, without dev-dependencies, build-dependencies, proc macros
// or what only they reach, with the features cargo resolves for the target
// and the checksums of the workspace's Cargo.lock. It asks `cargo tree`
// what is linked (crates, features, edges) and `cargo metadata --no-deps`
// for the workspace's members, and takes every other crate's package ID
// and Cargo.toml from the build (req.Built): nothing it reads needs a
// source the build did not, so a build that cargo could do offline gets
// its graph offline. Run it after the build, so that Cargo.lock is what
// the build used.
func (c Cargo) Graph(ctx context.Context, req DepsRequest) (*Graph, error) {
	manifest := req.manifest()
	g, err := c.graph(ctx, req, manifest)
	if err != nil {
		return nil, fmt.Errorf("crates linked by %s for %s: %w", manifest, req.Triple, err)
	}
	return g, nil
}

// graph joins what cargo tree says is linked with the build's packages,
// the workspace's members and Cargo.lock.
func (c Cargo) graph(ctx context.Context, req DepsRequest, manifest string) (*Graph, error) {
	if req.Triple == "" {
		return nil, fmt.Errorf("no target triple")
	}
	if len(req.Built) == 0 {
		return nil, fmt.Errorf("no packages of the build: the graph is read from what the build compiled (Artifact.Packages)")
	}
	in, err := c.askCargo(ctx, req, manifest)
	if err != nil {
		return nil, err
	}
	lockPath := filepath.Join(in.proj.WorkspaceRoot, LockfileName)
	lock, locked, err := readLockfile(lockPath)
	if err != nil {
		return nil, err
	}
	j := newJoiner(in.proj, req.Built, lockPath, locked)
	j.resolve = func(m string) (*Project, error) { return c.members(ctx, req.Dir, in.env, m, in.args) }
	g, err := j.graph(in.linked, in.root)
	if err != nil {
		return nil, err
	}
	g.Lockfile = lock
	return g, nil
}

// cargoAnswers are what cargo says of the build: what is linked, the
// workspace and the member built; and the environment and arguments it
// was asked with.
type cargoAnswers struct {
	linked    linkGraph
	proj      *Project
	root      Package
	env, args []string
}

// askCargo runs cargo tree and cargo metadata --no-deps side by side
// (each takes about as long as a no-op cargo build), with the build's
// rustflags (the user's and +crt-static: krust's path remappings change
// no cfg) and resolution arguments. cargo tree is asked for the package
// by name, or by its full ID once metadata has given it if that failed (a
// member named as one of its dependencies is ambiguous).
func (c Cargo) askCargo(ctx context.Context, req DepsRequest, manifest string) (cargoAnswers, error) {
	_, env, extra, err := c.rustflagsFor(req.Dir, req.Args, []string{req.Triple}, nil)
	if err != nil {
		return cargoAnswers{}, err
	}
	a := cargoAnswers{env: env, args: append(resolutionArgs(req.Args), extra...)}
	run := func(pkgs []string) ([]byte, error) {
		return c.output(ctx, req.Dir, env, append(treeArgs(manifest, pkgs, req.Triple), a.args...))
	}
	type result struct {
		out []byte
		err error
	}
	tree := make(chan result, 1)
	go func() {
		out, err := run(req.roots())
		tree <- result{out, err}
	}()
	a.proj, err = c.members(ctx, req.Dir, env, manifest, a.args)
	t := <-tree
	if err != nil {
		return cargoAnswers{}, err
	}
	if a.root, err = a.proj.builtRoot(filepath.Dir(manifest), req.Package, req.Bin); err != nil {
		return cargoAnswers{}, err
	}
	if t.err != nil && req.Package != "" {
		t.out, t.err = run(a.proj.ids(req.roots()))
	}
	if t.err != nil {
		return cargoAnswers{}, t.err
	}
	if len(req.roots()) > 1 {
		a.linked, err = rootTree(t.out, a.root.Name, a.root.Version)
		return a, err
	}
	a.linked, err = parseTree(t.out)
	return a, err
}

// roots are the packages cargo tree is asked about: those built
// together, or the one built.
func (r DepsRequest) roots() []string {
	if len(r.Packages) > 0 {
		return r.Packages
	}
	if r.Package == "" {
		return nil
	}
	return []string{r.Package}
}

// ids are the package IDs of the members named, or the name where none is
// a member's.
func (p *Project) ids(names []string) []string {
	out := make([]string, len(names))
	for i, name := range names {
		out[i] = name
		if pkg, err := p.SelectPackage("", name); err == nil {
			out[i] = pkg.ID
		}
	}
	return out
}

// members runs `cargo metadata --no-deps` for manifest: the workspace and
// its members, whose fields inherited from the workspace cargo resolves.
// It reads no package outside the workspace, so it needs no sources. The
// graph asks it of the project and of each workspace (outside the
// project) that a linked crate inherits fields from.
func (c Cargo) members(ctx context.Context, dir string, env []string, manifest string, args []string) (*Project, error) {
	out, err := c.output(ctx, dir, env, append([]string{"metadata", "--format-version", "1", "--no-deps",
		"--manifest-path", manifest}, sourceArgs(args)...))
	if err != nil {
		return nil, err
	}
	return ParseMetadata(out)
}

// sourceArgs keeps of args (resolutionArgs and rustflags' --config
// entries) those that change where cargo finds packages and how it reads
// manifests, not what it resolves: --offline, --frozen, --config and -Z.
// Features have no place in cargo metadata --no-deps, which resolves
// nothing (and a dependency's own workspace has none of them).
func sourceArgs(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		switch arg := args[i]; {
		case arg == "--offline" || arg == "--frozen" || strings.HasPrefix(arg, "--config="):
			out = append(out, arg)
		case (arg == "--config" || arg == "-Z") && i+1 < len(args):
			out = append(out, arg, args[i+1])
			i++
		}
	}
	return out
}

// builtRoot is the member built: the one named pkg, or without one the
// package of the Cargo.toml in dir. bin, if given, must be one of its
// binaries.
func (p *Project) builtRoot(dir, pkg, bin string) (Package, error) {
	root, err := p.SelectPackage(dir, pkg)
	if err != nil {
		return Package{}, err
	}
	if bin != "" && !slices.Contains(root.Bins(), bin) {
		return Package{}, fmt.Errorf("package %s has no binary %q", root.Name, bin)
	}
	return root, nil
}

// program is the cargo that reads the project: Command when it is cargo
// itself, else cargo from PATH (cross and zigbuild resolve as it does).
func (c Cargo) program() string {
	if c.IsDefault() {
		program, _ := c.command()
		return program
	}
	return "cargo"
}

// output runs cargo with args in dir, in its own process group, and
// returns what it prints, at most MaxMetadataBytes; a failure carries
// cargo's messages.
func (c Cargo) output(ctx context.Context, dir string, env, args []string) ([]byte, error) {
	key := append([]string{dir, c.program(), strings.Join(env, "\x01")}, args...)
	run := args
	if c.frozen {
		run = frozenArgs(args) // the same question, asked without side effects
	}
	return c.Memo.do(key, func() ([]byte, error) {
		return capture(ctx, dir, env, "cargo "+args[0], c.program(), run...)
	})
}

// capture runs program with args in dir and env, in its own process
// group, and returns its stdout, at most MaxMetadataBytes; what names the
// command in errors, which carry the first maxStderr bytes of its stderr.
func capture(ctx context.Context, dir string, env []string, what, program string, args ...string) ([]byte, error) {
	cmd := questionCommand(ctx, program, args...)
	var stdout limitedBuffer
	var stderr headBuffer
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, &stdout, &stderr
	switch err := cmd.Run(); {
	case stdout.over:
		return nil, fmt.Errorf("%s: %w", what, errMetadataTooLarge())
	case err != nil && ctx.Err() != nil:
		return nil, fmt.Errorf("%s stopped: %w", what, context.Cause(ctx))
	case err != nil:
		return nil, fmt.Errorf("%s: %w\n%s", what, err, strings.TrimSpace(stderr.buf.String()))
	}
	return stdout.buf.Bytes(), nil
}

// questionCommand is the command that asks program a question: in its
// own process group, at the lowest priority for a ctx InBackground.
func questionCommand(ctx context.Context, program string, args ...string) *procgroup.Cmd {
	cmd := procgroup.Command(ctx, 0, program, args...)
	cmd.Background = inBackground(ctx)
	return cmd
}

// maxStderr is how much of cargo's messages an error carries.
const maxStderr = 64 << 10

// headBuffer keeps the first maxStderr bytes written to it and drops the
// rest, never failing, so that cargo is not stopped by its own messages.
type headBuffer struct {
	buf strings.Builder
}

func (b *headBuffer) Write(p []byte) (int, error) {
	if room := maxStderr - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
