package cargo

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Sentinel errors of this package. The errors returned wrap them with the
// triple, platform, program or setting value they are about, so callers
// (the builder, the command) tell them apart with errors.Is while users
// read the whole message. No message names a flag: the command, which
// knows where a setting came from, adds how to change it.
var (
	// ErrTargetMissing means the Rust standard library for a target triple
	// is not installed in the project's toolchain (see TargetMissingError).
	ErrTargetMissing = errors.New("rust target not installed")

	// ErrBuilderMissing means the builder the cargo setting names (or
	// cargo) is not installed (see BuilderMissingError).
	ErrBuilderMissing = errors.New("builder not installed")

	// ErrUnsupportedPlatform means no Rust target triple is known for a
	// platform (see SupportedPlatforms), so docker-krust cannot build for it.
	ErrUnsupportedPlatform = errors.New("unsupported platform")

	// ErrVirtualWorkspace means the project directory is a workspace root
	// without a package of its own, and no member was chosen.
	ErrVirtualWorkspace = errors.New("a workspace root without a package of its own")

	// ErrNoBinary means a package has no binary target: it is a library.
	ErrNoBinary = errors.New("no binary target")

	// ErrWhichBinary means a package has several binaries and neither the
	// bin setting nor its default-run chooses one (see DefaultRunError).
	ErrWhichBinary = errors.New("several binaries")

	// ErrCannotStart means the builder's program could not be started.
	ErrCannotStart = errors.New("cannot start the builder")

	// ErrInvalidLibc means a libc setting names no C library krust links
	// against (see ParseLibc).
	ErrInvalidLibc = errors.New("unknown C library")

	// ErrLibraryNotFound means a native (C) library a crate links was not
	// found for a static build: the linker found no static archive of it,
	// or the build script of the crate that links it failed (see
	// NativeLibError).
	ErrLibraryNotFound = errors.New("native library not found")

	// ErrLink means a static link failed on a native library's archive:
	// it needs symbols no linked library provides (see NativeLibError).
	ErrLink = errors.New("linking a native library failed")
)

// TargetMissingError is ErrTargetMissing for one target triple, with the
// command that adds it.
type TargetMissingError struct {
	// Triple is the missing target; Sysroot the toolchain asked.
	Triple, Sysroot string
}

func (e *TargetMissingError) Error() string {
	return fmt.Sprintf("%v: the Rust standard library for %s is not installed (toolchain %s)\n"+
		"  add it with:  rustup target add %s", ErrTargetMissing, e.Triple, e.Sysroot, e.Triple)
}

// Is makes the error ErrTargetMissing.
func (e *TargetMissingError) Is(target error) bool { return target == ErrTargetMissing }

// Instead is the libc setting that needs no such target, when there is
// one: glibc for a missing musl target, "" otherwise.
func (e *TargetMissingError) Instead() Libc {
	if strings.Contains(e.Triple, "musl") {
		return Glibc
	}
	return ""
}

// startError is ErrCannotStart with the reason, which alone is its text.
type startError struct{ err error }

func (e startError) Error() string   { return e.err.Error() }
func (e startError) Unwrap() []error { return []error{e.err, ErrCannotStart} }

// DefaultRunError is ErrWhichBinary for a package whose default-run names
// none of its binaries.
type DefaultRunError struct {
	// Package and Manifest name the package, DefaultRun its default-run
	// and Bins its binaries.
	Package, Manifest, DefaultRun string
	Bins                          []string
}

func (e *DefaultRunError) Error() string {
	return fmt.Sprintf("package %s: default-run names %q, which is not one of its binaries (%s): fix default-run in %s, or choose one",
		e.Package, e.DefaultRun, strings.Join(e.Bins, ", "), e.Manifest)
}

// Is makes the error ErrWhichBinary.
func (e *DefaultRunError) Is(target error) bool { return target == ErrWhichBinary }

// BuilderMissingError is ErrBuilderMissing for one program, with how to
// install it.
type BuilderMissingError struct {
	// Program is the program not found as named: cargo, cross,
	// cargo-zigbuild, /opt/bin/cross...
	Program string
}

func (e *BuilderMissingError) Error() string {
	return fmt.Sprintf("%v: %s is not on PATH: %s", ErrBuilderMissing, e.Program, installHint(filepath.Base(e.Program)))
}

// Is makes the error ErrBuilderMissing.
func (e *BuilderMissingError) Is(target error) bool { return target == ErrBuilderMissing }

// IsCargo says the program missing is cargo itself, whose fix is another
// builder rather than cargo.
func (e *BuilderMissingError) IsCargo() bool { return filepath.Base(e.Program) == "cargo" }

func installHint(program string) string {
	switch program {
	case "cargo":
		return "install Rust with rustup (https://rustup.rs)"
	case "cross":
		return "install it with `cargo install cross --git https://github.com/cross-rs/cross` (it runs builds in Docker or Podman)"
	case "cargo-zigbuild":
		return "install it with `cargo install --locked cargo-zigbuild` (it also needs zig on PATH)"
	}
	return "install it"
}
