package outpath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/docker-krust/docker-krust/internal/atomicfile"
	"github.com/docker-krust/docker-krust/internal/regular"
)

// Kept is a directory krust reads or writes as its own.
type Kept struct {
	Dir string
	// What says what it is, for messages: "the OCI layout this build
	// writes".
	What string
	// Layout is set for an OCI layout, which a Layout output may name
	// (building into the layout that holds the base).
	Layout bool
}

// Target is an output checked and ready to be written.
type Target struct {
	Output
	// Real is the path written: Path with its links and ".." resolved;
	// "" for a pipe that has no path of its own (the /dev/fd/N of a
	// shell's >(docker load)).
	Real string
	// Stream is set for a named pipe (FIFO) or a pipe: it is written in
	// place, as a stream, not replaced.
	Stream bool
	// info is what was at Path when checked; nil when nothing was.
	info fs.FileInfo
}

// streamHint says how to stream what krust writes.
const streamHint = "to stream it, give it a pipe of its own: >(docker load) in bash, or a named pipe (mkfifo)"

// Check checks outs against r and returns them, in the same order, ready
// to write. Nothing is written. The error names every problem found.
func (r Rules) Check(outs ...Output) ([]Target, error) {
	kept := r.resolveKept()
	var errs []error
	targets := make([]Target, 0, len(outs))
	for _, o := range outs {
		t, err := r.check(o, kept)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		targets = append(targets, t)
	}
	errs = append(errs, sameFiles(targets)...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return targets, nil
}

// resolveKept resolves the kept directories as outputs are resolved.
func (r Rules) resolveKept() []Kept {
	out := make([]Kept, 0, len(r.Kept))
	for _, k := range r.Kept {
		if k.Dir == "" {
			continue
		}
		if real, err := resolve(k.Dir); err == nil {
			k.Dir = real
		} else if abs, err := filepath.Abs(k.Dir); err == nil {
			k.Dir = abs
		}
		out = append(out, k)
	}
	return out
}

// check checks one output.
func (r Rules) check(o Output, kept []Kept) (Target, error) {
	t := Target{Output: o}
	switch o.Path {
	case "":
		return t, problem(o, "an empty path: name a file")
	case "-":
		return t, refuse(o, ErrStandardStream, "\"-\" would be krust's standard output, which carries the image reference alone; %s", streamHint)
	}
	real, err := resolve(o.Path)
	if err != nil {
		return t, problem(o, "%w", err)
	}
	t.Real = real
	if err := t.checkPlace(kept); err != nil {
		return t, err
	}
	info, err := os.Stat(o.Path)
	switch {
	case err == nil:
		t.info = info
		if err := r.notStandard(o, info); err != nil {
			return t, err
		}
		if err := t.checkExisting(); err != nil {
			return t, err
		}
	case errors.Is(err, fs.ErrNotExist):
		if err := t.checkMissing(); err != nil {
			return t, err
		}
	default:
		return t, problem(o, "%w", err)
	}
	return t, t.checkWritable()
}

// notStandard refuses a path that is one of krust's standard streams.
func (r Rules) notStandard(o Output, info fs.FileInfo) error {
	for _, s := range r.Streams {
		if s.Info != nil && os.SameFile(s.Info, info) {
			return refuse(o, ErrStandardStream, "it is krust's %s; %s", s.Name, streamHint)
		}
	}
	return nil
}

// checkExisting checks what exists at t.Path: a kind of file t may write.
func (t *Target) checkExisting() error {
	mode := t.info.Mode()
	if at, err := os.Lstat(t.Real); err != nil || !os.SameFile(at, t.info) {
		// A link the kernel keeps (/dev/fd/N, /proc/PID/fd/N) to
		// something without a path: a pipe can still be written.
		if mode&fs.ModeNamedPipe != 0 && t.Kind == File {
			t.Real, t.Stream = "", true
			return nil
		}
		return refuse(t.Output, regular.ErrNotRegular, "it leads to %s that has no path of its own: name the file itself", regular.Describe(mode))
	}
	switch t.Kind {
	case Dir:
		if !mode.IsDir() {
			return problem(t.Output, "%s %s, not a directory: name a directory (it is created if missing)", t.is(), regular.Describe(mode))
		}
	case File:
		if mode&fs.ModeNamedPipe != 0 {
			t.Stream = true
			return nil
		}
		if !mode.IsRegular() {
			return refuse(t.Output, regular.ErrNotRegular, "%s %s, not a file krust can write: name a regular file (replaced whole), a new file, or a named pipe (written as a stream)", t.is(), regular.Describe(mode))
		}
	}
	return nil
}

// is starts a sentence about what t names: "it is", or "it leads to
// REAL, which is" when links or ".." make it another path.
func (t *Target) is() string {
	if abs, err := filepath.Abs(t.Path); err == nil && abs == t.Real {
		return "it is"
	}
	return "it leads to " + Show(t.Real) + ", which is"
}

// checkMissing checks that a missing file can be created: its directory
// exists (krust does not create it, as cp and docker save do not).
func (t *Target) checkMissing() error {
	if t.Kind != File {
		return nil
	}
	dir := filepath.Dir(t.Real)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return refuse(t.Output, fs.ErrNotExist, "directory %s does not exist: create it first", Show(dir))
	case err != nil:
		return problem(t.Output, "%w", err)
	case !info.IsDir():
		return problem(t.Output, "%s is %s, not a directory", Show(dir), regular.Describe(info.Mode()))
	}
	return nil
}

// checkPlace refuses a path inside a directory krust keeps or inside any
// OCI layout, whoever's.
func (t *Target) checkPlace(kept []Kept) error {
	if t.Real == "" {
		return nil
	}
	for _, k := range kept {
		if t.Kind == Layout && k.Layout && t.Real == k.Dir {
			continue
		}
		if inside(t.Real, k.Dir) {
			return refuse(t.Output, ErrInside, "%s inside %s (%s): writing there would damage it; name a path outside it", t.is(), k.What, Show(k.Dir))
		}
	}
	if l := enclosingLayout(t.Real, t.Kind != Layout); l != "" {
		return refuse(t.Output, ErrInside, "%s inside the OCI layout %s: writing there would damage it; name a path outside it", t.is(), Show(l))
	}
	return nil
}

// checkWritable checks that the directory t is written in can be
// written: not on a read-only file system, not closed to this user.
func (t *Target) checkWritable() error {
	if t.Stream || t.Kind == Layout {
		return nil
	}
	dir := filepath.Dir(t.Real)
	if t.Kind == Dir {
		dir = t.Real
		for {
			if _, err := os.Lstat(dir); err == nil || filepath.Dir(dir) == dir {
				break
			}
			dir = filepath.Dir(dir)
		}
	}
	if err := atomicfile.Writable(dir); err != nil {
		return refuse(t.Output, ErrNotWritable, "cannot write in %s: %w", Show(dir), err)
	}
	return nil
}

// sameFiles refuses two outputs that name the same file.
func sameFiles(targets []Target) []error {
	var errs []error
	for i, a := range targets {
		for _, b := range targets[i+1:] {
			same := a.Real != "" && a.Real == b.Real
			same = same || (a.info != nil && b.info != nil && os.SameFile(a.info, b.info))
			if same {
				errs = append(errs, fmt.Errorf("%s %s and %s %s: %w: name two different files", a.Setting, Show(a.Path), b.Setting, Show(b.Path), ErrSameFile))
			}
		}
	}
	return errs
}
