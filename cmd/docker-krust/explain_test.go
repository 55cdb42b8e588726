package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/problems"
	"github.com/docker-krust/docker-krust/remote"
)

// changed is a flag set in which the named flags were given.
type changed map[string]bool

func (c changed) Changed(name string) bool { return c[name] }

// The command words each library sentinel in terms of the flag, or of the
// file a value came from, and keeps the error's identity.
func TestExplainNamesFlagsAndSources(t *testing.T) {
	fromCargoToml := &config.Sources{Package: config.Settings{Source: "/p/Cargo.toml [package.metadata.krust]", Cargo: "cross"}}
	fromConfig := &config.Sources{User: config.Settings{Source: "/u/config.toml", Cargo: "cross"}}
	musl := &cargo.TargetMissingError{Triple: "x86_64-unknown-linux-musl", Sysroot: "/s"}
	gnu := &cargo.TargetMissingError{Triple: "aarch64-unknown-linux-gnu", Sysroot: "/s"}
	cross := &cargo.BuilderMissingError{Program: "cross"}
	udev := &cargo.NativeLibError{Kind: cargo.ErrLibraryNotFound, Triple: "x86_64-unknown-linux-gnu", Libs: []string{"udev"}, Crates: []string{"libudev-sys 0.1.4"}}
	untrusted := &remote.HostError{Host: "r.example", Kind: remote.ErrUntrusted, Err: errors.New("x509: unknown authority"),
		Hint: "the TLS certificate of r.example is not trusted: put its CA in /d/ca.crt or SSL_CERT_FILE"}
	tests := []struct {
		name    string
		x       explainer
		err     error
		want    string
		wantIs  error
		wrapped error // also found by errors.Is, when not nil
	}{
		{"musl target: glibc instead", explainer{}, fmt.Errorf("build: %w", musl), "build: " + musl.Error() + "\n  or link against static glibc instead: --libc glibc", cargo.ErrTargetMissing, nil},
		{"glibc target: nothing instead", explainer{}, gnu, gnu.Error(), cargo.ErrTargetMissing, nil},
		{"two problems, each in its place", explainer{}, problems.List{musl, untrusted},
			"2 problems found before building; fix them all, then run again:\n1. " + cargo.ErrTargetMissing.Error() +
				": the Rust standard library for x86_64-unknown-linux-musl is not installed (toolchain /s)\n   add it with:  rustup target add x86_64-unknown-linux-musl\n   or link against static glibc instead: --libc glibc" +
				"\n2. x509: unknown authority\n   the TLS certificate of r.example is not trusted: put its CA in /d/ca.crt or SSL_CERT_FILE, or allow the host with --insecure-registry r.example",
			remote.ErrUntrusted, cargo.ErrTargetMissing},
		{"cargo missing", explainer{}, &cargo.BuilderMissingError{Program: "cargo"},
			"builder not installed: cargo is not on PATH: install Rust with rustup (https://rustup.rs), or choose another builder with --cargo", cargo.ErrBuilderMissing, nil},
		{"builder from --cargo", explainer{flags: changed{"cargo": true}, sources: fromCargoToml}, cross,
			cross.Error() + ", or drop --cargo to build with cargo", cargo.ErrBuilderMissing, nil},
		{"builder from Cargo.toml", explainer{flags: changed{}, sources: fromCargoToml}, cross,
			cross.Error() + ", or drop cargo in /p/Cargo.toml [package.metadata.krust] to build with cargo", cargo.ErrBuilderMissing, nil},
		{"builder from the krust config", explainer{flags: changed{}, sources: fromConfig}, cross,
			cross.Error() + ", or drop cargo in /u/config.toml to build with cargo", cargo.ErrBuilderMissing, nil},
		{"timeout", explainer{}, fmt.Errorf("push r/app: %w after 10m0s, the timeout: %w", remote.ErrTimeout, context.DeadlineExceeded),
			"push r/app: gave up after 10m0s, the --timeout: context deadline exceeded", remote.ErrTimeout, context.DeadlineExceeded},
		{"native library", explainer{}, fmt.Errorf("build: %w", udev),
			"build: " + strings.Replace(udev.Error(), "where it has one", "where it has one (for a direct dependency, after --: --features libudev-sys/vendored)", 1),
			cargo.ErrLibraryNotFound, nil},
		{"artifacts refused", explainer{}, &remote.HostError{Host: "r", Kind: remote.ErrArtifactsRefused, Err: errors.New("400"), Hint: "push elsewhere, or build without them"},
			"400\npush elsewhere, or build with --sbom none --provenance none", remote.ErrArtifactsRefused, nil},
		{"layout directory with a colon", explainer{}, fmt.Errorf("the OCI layout directory a:b holds a ':': %w", builder.ErrLayoutRefColon),
			"the OCI layout directory a:b holds a ':': choose a directory without ':' with --oci-layout", builder.ErrLayoutRefColon, nil},
		{"layout not writable", explainer{}, fmt.Errorf("%w: %w", builder.ErrLayoutNotWritable, errors.New("read-only file system")),
			"cannot write the OCI layout (choose another with --oci-layout): read-only file system", builder.ErrLayoutNotWritable, nil},
		{"crates not listed", explainer{}, fmt.Errorf("%w for linux/amd64, for the SBOM and provenance: %w", builder.ErrCrateList, errors.New("cargo metadata failed")),
			"list the crates linked for linux/amd64, for the SBOM and provenance (--sbom none --provenance none attach neither): cargo metadata failed", builder.ErrCrateList, nil},
		{"no puller", explainer{}, fmt.Errorf("base image %q: %w; use scratch or oci:PATH[:TAG]", "r/base", builder.ErrNoPuller),
			`base image "r/base": pulling from a registry is not available here; use --base scratch or --base oci:PATH[:TAG]`, builder.ErrNoPuller, nil},
		{"a workspace root", explainer{}, fmt.Errorf("/w/Cargo.toml is %w: choose a member (members: a, b)", cargo.ErrVirtualWorkspace),
			"/w/Cargo.toml is a workspace root without a package of its own: choose a member with -p/--package (members: a, b)", cargo.ErrVirtualWorkspace, nil},
		{"a library", explainer{}, fmt.Errorf("package l has %w (it is a library): add src/main.rs or a [[bin]] section, or pick another package", cargo.ErrNoBinary),
			"package l has no binary target (it is a library): add src/main.rs or a [[bin]] section, or pick another package with -p", cargo.ErrNoBinary, nil},
		{"several binaries", explainer{}, fmt.Errorf("package p has %w (a, b): choose one, or set default-run in its [package]", cargo.ErrWhichBinary),
			"package p has several binaries (a, b): choose one with --bin, or set default-run in its [package]", cargo.ErrWhichBinary, nil},
		{"default-run naming none", explainer{}, fmt.Errorf("plan: %w", &cargo.DefaultRunError{Package: "p", Manifest: "/p/Cargo.toml", DefaultRun: "c", Bins: []string{"a", "b"}}),
			`plan: package p: default-run names "c", which is not one of its binaries (a, b): fix default-run in /p/Cargo.toml, or choose one with --bin`, cargo.ErrWhichBinary, nil},
		{"cargo cannot start", explainer{}, fmt.Errorf("run /x: %w (install Rust with rustup, or choose a builder)", cargo.ErrCannotStart),
			"run /x: cannot start the builder (install Rust with rustup, or choose a builder with --cargo)", cargo.ErrCannotStart, nil},
		{"files from --file", explainer{flags: changed{"file": true}}, &builder.FilesError{Spec: config.FileSpec{From: "s", To: "/s"}, Path: "s/p", Reason: "it is a socket"},
			`s/p cannot go into the image (entry { from = "s", to = "/s" } of --file): it is a socket`, builder.ErrFiles, nil},
		{"files from Cargo.toml", explainer{flags: changed{}, sources: &config.Sources{Package: config.Settings{Source: "/p/Cargo.toml [package.metadata.krust]", Files: []config.FileSpec{{From: "s", To: "/s"}}}}},
			&builder.FilesError{Spec: config.FileSpec{From: "s", To: "/s"}, Path: "s/p", Reason: "it is a socket"},
			`s/p cannot go into the image (entry { from = "s", to = "/s" } of files in /p/Cargo.toml [package.metadata.krust]): it is a socket`, builder.ErrFiles, nil},
		{"anything else as it is", explainer{}, errors.New("disk full"), "disk full", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.x.explain(tt.err)
			if got.Error() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if tt.wantIs != nil && !errors.Is(got, tt.wantIs) || tt.wrapped != nil && !errors.Is(got, tt.wrapped) {
				t.Errorf("the explained error lost its identity: %#v", got)
			}
		})
	}
	if (explainer{}).explain(nil) != nil {
		t.Error("explain(nil) is not nil")
	}
}
