package cargo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/internal/procgroup"
	"github.com/docker-krust/docker-krust/internal/scrub"
)

// Cargo runs a cargo executable. The zero value runs "cargo" from PATH with
// no environment, so callers normally set Env to os.Environ().
type Cargo struct {
	// Command is the cargo-compatible builder to run, split on spaces:
	// "cargo" when empty; also e.g. "cross" or "cargo zigbuild".
	Command string
	// Env is cargo's environment, as KEY=VALUE strings.
	Env []string
	// Stderr receives cargo's progress and diagnostics; nil discards them.
	Stderr io.Writer
	// Verbose makes Build print the command it runs and the linkers it
	// chose to Stderr; the user's arguments are shown as
	// scrub.CargoArgsForLog shows them, without values that are no build
	// setting.
	Verbose bool
	// LookPath finds cross linkers; nil means exec.LookPath.
	LookPath func(string) (string, error)
	// Memo, when set, lets Graph and Toolchain ask cargo and rustc each
	// question once (see Memo).
	Memo *Memo
	// frozen runs the commands that only ask cargo with --frozen, for
	// PrefetchGraphs.
	frozen bool
}

// BuildRequest says what to build.
type BuildRequest struct {
	// Dir is the project's real directory: cargo runs there, so the
	// .cargo/config.toml files in it and above it and its
	// rust-toolchain.toml apply, as when the user runs cargo there.
	Dir string
	// ManifestDir is where cargo is told the project's Cargo.toml is
	// (--manifest-path), when not in Dir: the same directory seen through
	// another path, such as the stable link of a reproducible build.
	// Empty means Dir.
	ManifestDir string
	// Packages are the workspace members to build (cargo -p each), in
	// one invocation per triple: their shared dependencies compile once,
	// with the features of all of them (see DepsRequest.Packages). None
	// means the manifest's package.
	Packages []string
	// Bins are the binary targets to build (cargo --bin each), of
	// Packages; no two of one name, as cargo would put both at one path.
	Bins []string
	// Profile is cargo's build profile (cargo --profile); empty means
	// DefaultProfile. Args must not ask for another (see SplitProfile).
	Profile string
	// Triples are the Rust target triples, e.g. x86_64-unknown-linux-musl.
	Triples []string
	// Rustflags are added to the user's rustflags, after +crt-static.
	Rustflags []string
	// Args are extra arguments for `cargo build`, from the user.
	Args []string
	// Compiling, if set, is called once, in its own goroutine, when
	// cargo says it compiles a crate (a build with nothing to compile
	// never calls it): cargo has read the workspace and resolved, and
	// what runs beside it from then on no longer delays it.
	Compiling func()
	// Built, if set, is called with each executable of Bins as cargo
	// reports it, while it may still be building others (Packages not
	// set), from the goroutine that reads cargo's messages: it must
	// return at once. What Build returns is what counts.
	Built func(Artifact)
}

func (r BuildRequest) profile() string { return ProfileOrDefault(r.Profile) }

// onExecutable turns r.Built into what readMessages calls for each
// executable: one of r.Bins built for one of triples with r's profile.
func (r BuildRequest) onExecutable(triples []string) func(Executable) {
	if r.Built == nil {
		return nil
	}
	return func(e Executable) {
		if !slices.Contains(r.Bins, e.Name) {
			return
		}
		for _, triple := range triples {
			if path, ok := find([]Executable{e}, e.Name, triple, r.profile()); ok {
				r.Built(Artifact{Bin: e.Name, Path: path, Triple: triple})
			}
		}
	}
}

// Artifact is an executable cargo built.
type Artifact struct {
	// Bin is the binary target's name.
	Bin string
	// Path is the executable's absolute path.
	Path string
	// Triple is the target triple it was built for.
	Triple string
	// Packages are the packages cargo compiled for this build, host ones
	// (build scripts, proc macros) too: where the build found each, which
	// Graph reads the SBOM's crates from (DepsRequest.Built).
	Packages []BuiltPackage
}

// IsDefault reports whether Command is cargo itself (from PATH or by
// path), whose toolchain CheckTarget can inspect and which reads the crate
// graph; cross and zigbuild are not.
func (c Cargo) IsDefault() bool {
	fields := strings.Fields(c.Command)
	return len(fields) == 0 || len(fields) == 1 && filepath.Base(fields[0]) == "cargo"
}

// command returns the program to run and the arguments before cargo's.
func (c Cargo) command() (string, []string) {
	fields := strings.Fields(c.Command)
	if len(fields) == 0 {
		return "cargo", nil
	}
	return fields[0], fields[1:]
}

func (c Cargo) stderr() io.Writer {
	if c.Stderr == nil {
		return io.Discard
	}
	return c.Stderr
}

// Metadata runs `cargo metadata --no-deps` for the project in dir.
func (c Cargo) Metadata(ctx context.Context, dir string) (*Project, error) {
	manifest := filepath.Join(dir, "Cargo.toml")
	if _, err := os.Stat(manifest); err != nil {
		return nil, fmt.Errorf("no Cargo.toml in %s: run krust build in a Cargo project, or pass the project's directory", dir)
	}
	if err := checkCargoFiles(c.Env, dir); err != nil {
		return nil, err
	}
	c.askSysrootEarly(ctx, dir)
	cmd := procgroup.Command(ctx, 0, "cargo", "metadata", "--format-version", "1", "--no-deps", "--manifest-path", manifest)
	cmd.Dir, cmd.Env = dir, c.Env
	var stdout limitedBuffer
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); stdout.over {
		return nil, fmt.Errorf("cargo metadata for %s: %w", manifest, errMetadataTooLarge())
	} else if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("cargo metadata for %s stopped: %w", manifest, context.Cause(ctx))
		}
		return nil, fmt.Errorf("cargo metadata for %s: %w\n%s", manifest, err, strings.TrimSpace(stderr.String()))
	}
	proj, err := ParseMetadata(stdout.buf.Bytes())
	if err != nil {
		return nil, err
	}
	return proj, checkLockfile(proj.WorkspaceRoot)
}

// Build runs `cargo build --profile PROFILE` for the binaries and every triple of
// req, linked statically, streaming cargo's progress to Stderr, and returns
// the executables cargo reports, in the order of req.Triples and, for
// each triple, of req.Bins. cargo runs
// once per triple: in one invocation for several targets, cargo's feature
// resolver unifies the features of normal dependencies across them, so a
// dependency one platform needs with a feature would be built with it
// (and with what that feature pulls in) for every platform, and the binary
// would not be what `cargo tree --target TRIPLE` says, which the SBOM lists.
func (c Cargo) Build(ctx context.Context, req BuildRequest) ([]Artifact, error) {
	var out []Artifact
	for _, triple := range req.Triples {
		arts, err := c.buildTriples(ctx, req, []string{triple})
		if err != nil {
			return nil, err
		}
		out = append(out, arts...)
	}
	return out, nil
}

// buildTriples runs one cargo build for triples.
func (c Cargo) buildTriples(ctx context.Context, req BuildRequest, triples []string) ([]Artifact, error) {
	cmd, err := c.buildCommand(ctx, req, triples)
	if err != nil {
		return nil, err
	}
	scan := &linkScan{}
	cmd.Stderr, cmd.Env = io.MultiWriter(cmd.Stderr, scan, &compilingWatch{f: req.Compiling}), termEnv(cmd.Env, c.Stderr)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("run cargo: %w", err)
	}
	if err := cmd.Start(); err != nil {
		if ctx.Err() != nil {
			return nil, buildError(ctx, triples, err)
		}
		return nil, fmt.Errorf("run %s: %w (install Rust with rustup, or choose a builder)", cmd.Path, startError{err})
	}
	msgs, readErr := readMessages(stdout, req.onExecutable(triples))
	_, _ = io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		if e := nativeLibError(strings.Join(triples, ", "), scan, msgs); e != nil && ctx.Err() == nil {
			return nil, e
		}
		return nil, buildError(ctx, triples, err)
	}
	if readErr != nil {
		return nil, readErr
	}
	var out []Artifact
	for _, triple := range triples {
		for _, bin := range req.Bins {
			path, ok := find(msgs.executables, bin, triple, req.profile())
			if !ok {
				return nil, fmt.Errorf("cargo build for %s finished but reported no executable for binary %q with profile %s", triple, bin, req.profile())
			}
			out = append(out, Artifact{Bin: bin, Path: path, Triple: triple, Packages: msgs.packages})
		}
	}
	return out, nil
}

// buildCommand prepares the cargo build command line and environment.
func (c Cargo) buildCommand(ctx context.Context, req BuildRequest, triples []string) (*procgroup.Cmd, error) {
	cfg, env, extra, err := c.rustflagsFor(req.Dir, req.Args, triples, req.Rustflags)
	if err != nil {
		return nil, err
	}
	lookPath := c.LookPath
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	linkers, notes := crossLinkers(cfg, triples, lookPath)
	notes = append(rustflagsNotes(c.Env, env, extra), notes...)
	env = append(staticPkgConfig(env), linkers...)
	if _, set := lookupEnv(c.Env, pkgConfigAllStatic); !set {
		if v, _ := lookupEnv(env, pkgConfigAllStatic); v == "1" {
			notes = append(notes, "pkg-config: krust sets "+pkgConfigAllStatic+"=1 for static C libraries")
		}
	}
	program, prefix := c.command()
	manifestDir := req.ManifestDir
	if manifestDir == "" {
		manifestDir = req.Dir
	}
	// --manifest-path keeps the directory as given: the working directory
	// alone would reach cargo with symbolic links resolved.
	args := append(prefix, "build", "--profile", req.profile(), "--message-format=json-render-diagnostics",
		"--manifest-path", filepath.Join(manifestDir, "Cargo.toml"))
	for _, triple := range triples {
		args = append(args, "--target", triple)
	}
	for _, pkg := range req.Packages {
		args = append(args, "--package", pkg)
	}
	for _, bin := range req.Bins {
		args = append(args, "--bin", bin)
	}
	args = append(args, extra...)
	if c.Verbose {
		for _, n := range notes {
			fmt.Fprintln(c.stderr(), n)
		}
		// The user's arguments as every channel shows them: values that
		// are no build setting (env.*, http.proxy, tokens) redacted.
		shown := append(append([]string(nil), args...), scrub.CargoArgsForLog(req.Args)...)
		fmt.Fprintf(c.stderr(), "running: %s %s\n", program, strings.Join(shown, " "))
	}
	args = append(args, req.Args...)
	// Its own process group, so that stopping the build stops rustc and
	// build scripts too, not only cargo.
	cmd := procgroup.Command(ctx, 0, program, args...)
	cmd.Dir, cmd.Env, cmd.Stderr = req.Dir, env, c.stderr()
	return cmd, nil
}

// rustflagsFor returns the cargo configuration of dir and args, and the
// environment and extra arguments with which cargo builds for triples:
// the user's rustflags, then +crt-static, then rustflags. The crate graph
// is read with them too, since `cfg(target_feature = "crt-static")`
// dependencies depend on them.
func (c Cargo) rustflagsFor(dir string, args, triples, rustflags []string) (cfg cargoConfig, env, extra []string, err error) {
	if cfg, err = readCargoConfig(c.Env, dir, args); err != nil {
		return cargoConfig{}, nil, nil, err
	}
	env, extra = addRustflags(cfg, triples, append([]string{"-C", staticFlag}, rustflags...))
	return cfg, env, extra, nil
}

// rustflagsNotes says which rustflags krust set, and how: a rustflags
// variable it extended (after) or --config entries it added (extra).
func rustflagsNotes(before, after, extra []string) []string {
	var notes []string
	for _, key := range []string{"CARGO_ENCODED_RUSTFLAGS", "RUSTFLAGS"} {
		old, hadOld := lookupEnv(before, key)
		v, ok := lookupEnv(after, key)
		if !ok || hadOld && old == v {
			continue
		}
		if key == "CARGO_ENCODED_RUSTFLAGS" {
			// The separator is unprintable: show the flags as a list.
			list, _ := json.Marshal(strings.Split(v, "\x1f"))
			v = string(list)
		}
		notes = append(notes, fmt.Sprintf("rustflags: krust sets %s=%s", key, v))
	}
	for i := 0; i+1 < len(extra); i += 2 {
		notes = append(notes, "rustflags: krust adds --config "+extra[i+1])
	}
	return notes
}

func buildError(ctx context.Context, triples []string, err error) error {
	what := strings.Join(triples, ", ")
	if ctx.Err() != nil {
		// Stopped by us (Ctrl-C, SIGTERM, a deadline): not cargo's failure,
		// and cargo printed nothing about it.
		return fmt.Errorf("cargo build for %s stopped: %w", what, context.Cause(ctx))
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("cargo build for %s failed (exit status %d): see cargo's messages above", what, exit.ExitCode())
	}
	return fmt.Errorf("cargo build for %s: %w", what, err)
}
