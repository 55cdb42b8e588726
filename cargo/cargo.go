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
	// Command is the cargo executable; empty means "cargo".
	Command string
	// Env is cargo's environment, as KEY=VALUE strings.
	Env []string
	// Stderr receives cargo's progress and diagnostics; nil discards them.
	Stderr io.Writer
	// Verbose makes Build print the command it runs to Stderr.
	Verbose bool
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
	// Triple is the Rust target triple, e.g. x86_64-unknown-linux-musl.
	Triple string
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

func (c Cargo) command() string {
	if c.Command == "" {
		return "cargo"
	}
	return c.Command
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
	cmd := exec.CommandContext(ctx, c.command(), "metadata", "--format-version", "1", "--no-deps", "--manifest-path", manifest)
	cmd.Dir, cmd.Env = dir, c.Env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("cargo metadata for %s: %w\n%s", manifest, err, strings.TrimSpace(stderr.String()))
	}
	return ParseMetadata(stdout.Bytes())
}

// Build runs `cargo build --release` for one binary and target triple,
// linked statically, streaming cargo's progress to Stderr, and returns the
// executable cargo reports.
func (c Cargo) Build(ctx context.Context, req BuildRequest) (Artifact, error) {
	env, extra, err := staticLinking(c.Env, req.Dir, req.Triple)
	if err != nil {
		return Artifact{}, err
	}
	args := []string{"build", "--release", "--target", req.Triple, "--message-format=json-render-diagnostics"}
	if req.Package != "" {
		args = append(args, "--package", req.Package)
	}
	args = append(args, "--bin", req.Bin)
	args = append(append(args, extra...), req.Args...)
	if c.Verbose {
		fmt.Fprintf(c.stderr(), "running: %s %s\n", c.command(), strings.Join(args, " "))
	}
	cmd := exec.CommandContext(ctx, c.command(), args...)
	cmd.Dir, cmd.Env, cmd.Stderr = req.Dir, env, c.stderr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Artifact{}, fmt.Errorf("run cargo: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return Artifact{}, fmt.Errorf("run %s: %w", c.command(), err)
	}
	exes, readErr := Executables(stdout)
	_, _ = io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		return Artifact{}, buildError(ctx, req.Triple, err)
	}
	if readErr != nil {
		return Artifact{}, readErr
	}
	path, ok := exes[req.Bin]
	if !ok {
		return Artifact{}, fmt.Errorf("cargo build for %s finished but reported no executable for binary %q", req.Triple, req.Bin)
	}
	return Artifact{Bin: req.Bin, Path: path, Triple: req.Triple}, nil
}

func buildError(ctx context.Context, triple string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("cargo build for %s: %w", triple, ctx.Err())
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("cargo build for %s failed (exit status %d): see cargo's messages above", triple, exit.ExitCode())
	}
	return fmt.Errorf("cargo build for %s: %w", triple, err)
}
