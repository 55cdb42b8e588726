package cargo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	// chose to Stderr.
	Verbose bool
	// LookPath finds cross linkers; nil means exec.LookPath.
	LookPath func(string) (string, error)
}

// BuildRequest says what to build.
type BuildRequest struct {
	// Dir is the project directory: cargo runs there, so its
	// .cargo/config.toml and rust-toolchain.toml apply.
	Dir string
	// Package is the workspace member to build (cargo -p).
	Package string
	// Bin is the binary target to build (cargo --bin).
	Bin string
	// Triples are the Rust target triples, e.g. x86_64-unknown-linux-musl.
	Triples []string
	// Rustflags are added to the user's rustflags, after +crt-static.
	Rustflags []string
	// Args are extra arguments for `cargo build`, from the user.
	Args []string
}

// Artifact is an executable cargo built.
type Artifact struct {
	// Bin is the binary target's name.
	Bin string
	// Path is the executable's absolute path.
	Path string
	// Triple is the target triple it was built for.
	Triple string
}

// IsDefault reports whether Command is cargo itself (from PATH or by
// path), which builds several targets at once and whose toolchain
// CheckTarget can inspect; cross and zigbuild are not.
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
	cmd := exec.CommandContext(ctx, "cargo", "metadata", "--format-version", "1", "--no-deps", "--manifest-path", manifest)
	cmd.Dir, cmd.Env = dir, c.Env
	var stdout limitedBuffer
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); stdout.over {
		return nil, fmt.Errorf("cargo metadata for %s: %w", manifest, errMetadataTooLarge())
	} else if err != nil {
		return nil, fmt.Errorf("cargo metadata for %s: %w\n%s", manifest, err, strings.TrimSpace(stderr.String()))
	}
	return ParseMetadata(stdout.buf.Bytes())
}

// Build runs `cargo build --release` for one binary and every triple of
// req, linked statically, streaming cargo's progress to Stderr, and returns
// the executables cargo reports, in the order of req.Triples. Plain cargo
// builds all triples in one invocation; other builders (cross, zigbuild)
// run once per triple.
func (c Cargo) Build(ctx context.Context, req BuildRequest) ([]Artifact, error) {
	if c.IsDefault() {
		return c.buildTriples(ctx, req, req.Triples)
	}
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
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("run cargo: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w (install Rust with rustup, or choose a builder with --cargo)", cmd.Path, err)
	}
	exes, readErr := Executables(stdout)
	_, _ = io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		return nil, buildError(ctx, triples, err)
	}
	if readErr != nil {
		return nil, readErr
	}
	var out []Artifact
	for _, triple := range triples {
		path, ok := find(exes, req.Bin, triple)
		if !ok {
			return nil, fmt.Errorf("cargo build for %s finished but reported no executable for binary %q", triple, req.Bin)
		}
		out = append(out, Artifact{Bin: req.Bin, Path: path, Triple: triple})
	}
	return out, nil
}

// buildCommand prepares the cargo build command line and environment.
func (c Cargo) buildCommand(ctx context.Context, req BuildRequest, triples []string) (*exec.Cmd, error) {
	flags := append([]string{"-C", staticFlag}, req.Rustflags...)
	env, extra, err := addRustflags(c.Env, req.Dir, triples, flags)
	if err != nil {
		return nil, err
	}
	lookPath := c.LookPath
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	linkers, notes, err := crossLinkers(env, req.Dir, triples, lookPath)
	if err != nil {
		return nil, err
	}
	env = append(env, linkers...)
	program, prefix := c.command()
	// --manifest-path keeps the directory as given: the working directory
	// alone would reach cargo with symbolic links resolved.
	args := append(prefix, "build", "--release", "--message-format=json-render-diagnostics",
		"--manifest-path", filepath.Join(req.Dir, "Cargo.toml"))
	for _, triple := range triples {
		args = append(args, "--target", triple)
	}
	if req.Package != "" {
		args = append(args, "--package", req.Package)
	}
	args = append(append(append(args, "--bin", req.Bin), extra...), req.Args...)
	if c.Verbose {
		for _, n := range notes {
			fmt.Fprintln(c.stderr(), n)
		}
		fmt.Fprintf(c.stderr(), "running: %s %s\n", program, strings.Join(args, " "))
	}
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Dir, cmd.Env, cmd.Stderr = req.Dir, env, c.stderr()
	return cmd, nil
}

func buildError(ctx context.Context, triples []string, err error) error {
	what := strings.Join(triples, ", ")
	if ctx.Err() != nil {
		return fmt.Errorf("cargo build for %s: %w", what, ctx.Err())
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("cargo build for %s failed (exit status %d): see cargo's messages above", what, exit.ExitCode())
	}
	return fmt.Errorf("cargo build for %s: %w", what, err)
}
