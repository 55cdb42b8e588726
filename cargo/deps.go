package cargo

import (
	"context"
	"fmt"
	"path/filepath"
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
	// Rustflags are the build's, as in BuildRequest: with +crt-static
	// and the user's own, they decide which cfg(target_feature = ...)
	// dependencies cargo links.
	Rustflags []string
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
// and the checksums of the workspace's Cargo.lock. It reads `cargo
// metadata --filter-platform` for the packages and `cargo tree` for what
// cargo's feature resolver links; run it after the build, so that
// Cargo.lock is what the build used.
func (c Cargo) Graph(ctx context.Context, req DepsRequest) (*Graph, error) {
	manifest := req.manifest()
	g, err := c.graph(ctx, req, manifest)
	if err != nil {
		return nil, fmt.Errorf("crates linked by %s for %s: %w", manifest, req.Triple, err)
	}
	return g, nil
}

// graph runs cargo metadata and cargo tree side by side (each takes about
// as long as a no-op cargo build). cargo tree is asked for the package by
// name, or by its full ID once metadata has given it if that name is
// shared (a member named as a dependency is).
func (c Cargo) graph(ctx context.Context, req DepsRequest, manifest string) (*Graph, error) {
	if req.Triple == "" {
		return nil, fmt.Errorf("no target triple")
	}
	_, env, extra, err := c.rustflagsFor(req.Dir, req.Args, []string{req.Triple}, req.Rustflags)
	if err != nil {
		return nil, err
	}
	args := append(resolutionArgs(req.Args), extra...)
	run := func(args []string) ([]byte, error) { return c.output(ctx, req.Dir, env, args) }
	type result struct {
		out []byte
		err error
	}
	tree := make(chan result, 1)
	go func() {
		out, err := run(append(treeArgs(manifest, req.Package, req.Triple), args...))
		tree <- result{out, err}
	}()
	out, err := run(append([]string{"metadata", "--format-version", "1",
		"--filter-platform", req.Triple, "--manifest-path", manifest}, args...))
	t := <-tree
	if err != nil {
		return nil, metadataHint(err)
	}
	m, err := parseDepsMetadata(out)
	if err != nil {
		return nil, err
	}
	root, err := m.root(req.Package, req.Bin)
	if err != nil {
		return nil, err
	}
	if t.err != nil && m.shared(req.Package) {
		t.out, t.err = run(append(treeArgs(manifest, root, req.Triple), args...))
	}
	if t.err != nil {
		return nil, t.err
	}
	return m.graph(root, t.out, filepath.Join(m.WorkspaceRoot, LockfileName))
}

// shared reports whether several packages are named name.
func (m *depsMetadata) shared(name string) bool {
	n := 0
	for _, p := range m.Packages {
		if p.Name == name {
			n++
		}
	}
	return n > 1
}

// graph is the Graph of root: the crates the output of cargo tree lists,
// which must be among those the resolve graph reaches, with their
// checksums from the Cargo.lock at lockPath.
func (m *depsMetadata) graph(root string, tree []byte, lockPath string) (*Graph, error) {
	linked, err := parseTree(tree, root, m)
	if err != nil {
		return nil, err
	}
	if err := linked.within(m.walk(root)); err != nil {
		return nil, err
	}
	lock, locked, err := readLockfile(lockPath)
	if err != nil {
		return nil, err
	}
	crates, err := m.crates(linked, locked, lockPath)
	if err != nil {
		return nil, err
	}
	return &Graph{Root: root, Crates: crates, Lockfile: lock}, nil
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
	return capture(ctx, dir, env, "cargo "+args[0], c.program(), args...)
}

// capture runs program with args in dir and env, in its own process
// group, and returns its stdout, at most MaxMetadataBytes; what names the
// command in errors, which carry the first maxStderr bytes of its stderr.
func capture(ctx context.Context, dir string, env []string, what, program string, args ...string) ([]byte, error) {
	cmd := procgroup.Command(ctx, 0, program, args...)
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

// metadataHint explains a cargo metadata that could not download a
// package: unlike cargo build, it reads the Cargo.toml of every package
// of the resolve, dev-dependencies and other members' dependencies too.
func metadataHint(err error) error {
	if !strings.Contains(err.Error(), "failed to download") {
		return err
	}
	return fmt.Errorf("%w\ncargo metadata, which the SBOM is read from, needs the sources of every package in Cargo.lock, also those the build did not: "+
		"run `cargo fetch` once with network (or vendor them with `cargo vendor`), or build with --sbom none --provenance none", err)
}
