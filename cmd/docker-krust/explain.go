package main

import (
	"errors"
	"regexp"
	"strings"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/problems"
	"github.com/docker-krust/docker-krust/remote"
	"github.com/spf13/cobra"
)

// The libraries' errors name settings, never flags: they do not know where
// a value came from. explain, the one place the command's errors pass
// before they are printed, finds the libraries' sentinels (errors.Is,
// errors.As) and says how to change the setting at fault: the flag, or
// the file or variable that gave the value. errors.Is and errors.As still
// see the original error.

// explainer says where the settings of one command came from.
type explainer struct {
	// flags are the command's, to tell which ones the user gave.
	flags interface{ Changed(name string) bool }
	// sources are the build's settings' sources once settled; nil before
	// that, or for commands without them.
	sources *config.Sources
}

// explained makes each of cmds' errors explained (see explainer.explain),
// with the sources that env records.
func explained(env *environment, cmds ...*cobra.Command) []*cobra.Command {
	for _, c := range cmds {
		run := c.RunE
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			return explainer{flags: cmd.Flags(), sources: env.sources}.explain(err)
		}
	}
	return cmds
}

// explainedError is an error with the command's words for it.
type explainedError struct {
	err error
	msg string
}

func (e *explainedError) Error() string { return e.msg }
func (e *explainedError) Unwrap() error { return e.err }

// explain returns err in the command's words. The problems of a
// problems.List are explained one by one, so that each keeps its place and
// the list's indentation.
func (x explainer) explain(err error) error {
	if err == nil {
		return nil
	}
	if list, ok := err.(problems.List); ok {
		out := make(problems.List, len(list))
		for i, e := range list {
			out[i] = x.explain(e)
		}
		return out
	}
	msg := err.Error()
	for _, r := range x.rules() {
		msg = r(err, msg)
	}
	if msg == err.Error() {
		return err
	}
	return &explainedError{err: err, msg: msg}
}

// A rule rewrites msg, the text of err, where err is one it explains.
type rule func(err error, msg string) string

func (x explainer) rules() []rule {
	return []rule{
		x.targetMissing, x.builderMissing, x.registryRefusal, x.filesSource, x.nativeLib,
		replaceIn(cargo.ErrVirtualWorkspace, regexp.MustCompile(`: choose a member \(members: `), ": choose a member with -p/--package (members: "),
		replaceIn(cargo.ErrNoBinary, regexp.MustCompile(`(\[\[bin\]\] section, or pick another package)`), "$1 with -p"),
		replaceIn(cargo.ErrWhichBinary, regexp.MustCompile(`(: choose one|, or choose one)(, or set default-run in its \[package\]|\n|$)`), "$1 with --bin$2"),
		replaceIn(config.ErrPackageArg, regexp.MustCompile(`name them to krust instead`), "name them to krust with -p NAME (repeatable) or --workspace [--exclude NAME], before --"),
		replaceIn(builder.ErrEntrypoint, regexp.MustCompile(`: add it to them, or name one of them`), ": add it with --bin (or bins in [package.metadata.krust]), or name one of them with --entrypoint"),
		replaceIn(cargo.ErrCannotStart, regexp.MustCompile(`\(install Rust with rustup, or choose a builder\)`), "(install Rust with rustup, or choose a builder with --cargo)"),
		replaceIn(remote.ErrTimeout, regexp.MustCompile(`(gave up after \S+), the timeout: `), "$1, the --timeout: "),
		replaceIn(builder.ErrLayoutRefColon, regexp.MustCompile(`(`+regexp.QuoteMeta(builder.ErrLayoutRefColon.Error())+`)`), "$1 with --oci-layout"),
		replaceIn(builder.ErrLayoutNotWritable, regexp.MustCompile(`(`+regexp.QuoteMeta(builder.ErrLayoutNotWritable.Error())+`): `), "$1 (choose another with --oci-layout): "),
		replaceIn(builder.ErrCrateList, regexp.MustCompile(`(list the crates linked for \S+, for the SBOM and provenance): `), "$1 (--sbom none --provenance none attach neither): "),
		replaceIn(builder.ErrNoPuller, regexp.MustCompile(`; use scratch or oci:`), "; use --base scratch or --base oci:"),
	}
}

// replaceIn is a rule for errors that wrap sentinel: each match of re in
// the text is replaced by repl (as regexp.ReplaceAllString does).
func replaceIn(sentinel error, re *regexp.Regexp, repl string) rule {
	return func(err error, msg string) string {
		if !errors.Is(err, sentinel) {
			return msg
		}
		return re.ReplaceAllString(msg, repl)
	}
}

// targetMissing offers static glibc where a missing musl target is the
// problem: a libc setting the flag sets, whatever set it before.
func (x explainer) targetMissing(err error, msg string) string {
	for _, e := range all[*cargo.TargetMissingError](err) {
		if e.Instead() == cargo.Glibc {
			msg = after(msg, "rustup target add "+e.Triple, "\n  or link against static glibc instead: --libc glibc")
		}
	}
	return msg
}

// builderMissing says how to choose another builder than the one missing:
// cargo is replaced with the flag; another is dropped where it was set.
func (x explainer) builderMissing(err error, msg string) string {
	for _, e := range all[*cargo.BuilderMissingError](err) {
		fix := ", or choose another builder with --cargo"
		if !e.IsCargo() {
			fix = ", or drop " + x.where("cargo", "--cargo") + " to build with cargo"
		}
		msg = after(msg, e.Error(), fix)
	}
	return msg
}

// registryRefusal adds the flags that change what a registry refused: the
// host allowed as insecure, a build without the documents it refused.
func (x explainer) registryRefusal(err error, msg string) string {
	for _, e := range all[*remote.HostError](err) {
		switch e.Kind {
		case remote.ErrUntrusted:
			msg = after(msg, "\n"+e.Hint, ", or allow the host with --insecure-registry "+e.Host)
		case remote.ErrArtifactsRefused:
			msg = strings.Replace(msg, e.Hint, strings.Replace(e.Hint, "or build without them", "or build with --sbom none --provenance none", 1), 1)
		}
	}
	return msg
}

// filesSource names where the files entry at fault is written: --file,
// or the Cargo.toml table.
func (x explainer) filesSource(err error, msg string) string {
	if !errors.Is(err, builder.ErrFiles) {
		return msg
	}
	return strings.ReplaceAll(msg, " of files):", " of "+x.where("files", "--file")+"):")
}

// nativeLib shows how cargo's arguments turn on a -sys crate's feature.
func (x explainer) nativeLib(err error, msg string) string {
	for _, e := range all[*cargo.NativeLibError](err) {
		if len(e.Crates) == 0 {
			continue
		}
		name, _, _ := strings.Cut(e.Crates[0], " ")
		msg = after(msg, "vendored or static feature, where it has one",
			" (for a direct dependency, after --: --features "+name+"/vendored)")
	}
	return msg
}

// where says where the value of setting came from: the flag when the user
// gave it (flags win), else the file or variable that gave it; the flag
// too when no source gave one (the default), as the way to change it.
func (x explainer) where(setting, flag string) string {
	if x.flags != nil && x.flags.Changed(strings.TrimPrefix(flag, "--")) || x.sources == nil {
		return flag
	}
	if w := x.sources.Where(setting); w != setting {
		return w
	}
	return flag
}

// after returns msg with add inserted after the first anchor; msg as it is
// without one.
func after(msg, anchor, add string) string {
	i := strings.Index(msg, anchor)
	if i < 0 {
		return msg
	}
	end := i + len(anchor)
	return msg[:end] + add + msg[end:]
}

// all returns every error of type T in err's tree, outermost first.
func all[T error](err error) []T {
	var out []T
	var walk func(error)
	walk = func(err error) {
		if t, ok := err.(T); ok {
			out = append(out, t)
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			if next := u.Unwrap(); next != nil {
				walk(next)
			}
		case interface{ Unwrap() []error }:
			for _, next := range u.Unwrap() {
				walk(next)
			}
		}
	}
	walk(err)
	return out
}
