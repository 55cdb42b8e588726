// Package outpath checks the paths krust is asked to write for the user
// (an image tarball, the reference file, the documents' directory, the
// OCI layout) before anything is built, and writes them so that none can
// destroy what krust or anyone else keeps:
//
//   - a path inside an OCI layout (krust's own or any other) or inside a
//     directory krust keeps (its layer cache) is refused, compared after
//     resolving symbolic links and "..", also when it does not exist yet;
//   - a symbolic link is followed: its target is written, the link stays;
//   - a regular file is replaced atomically (temp file beside it, fsync,
//     rename), so a failure leaves the old file and no temp file;
//   - a named pipe (FIFO) or pipe (/dev/fd/N) is written as a stream, in
//     place, with the wait for a reader bounded;
//   - "-" and the files krust's standard streams are (/dev/stdout when
//     stdout is a pipe or file) are refused: stdout carries the reference;
//   - a directory, device or socket where a file is wanted is refused, and
//     so are two outputs naming the same file.
package outpath

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"unicode"
)

// Kind is what an output path names.
type Kind int

const (
	// File is a file written whole: a regular file replaced atomically,
	// or a pipe written as a stream.
	File Kind = iota
	// Dir is a directory files are written into; missing, it is created.
	Dir
	// Layout is an OCI image layout krust writes. Only where it is is
	// checked here; what it holds is the layout package's business.
	Layout
)

// Output is one path krust is asked to write.
type Output struct {
	// Setting names the path in messages, e.g. "--tarball".
	Setting string
	Path    string
	Kind    Kind
}

// Stream is one of krust's standard streams, which no output may name.
type Stream struct {
	// Name is how messages call it, e.g. "standard output".
	Name string
	// Info is what the stream's descriptor is (fstat); nil when it is not
	// a file, as in tests.
	Info fs.FileInfo
}

// Rules are what every output is checked against.
type Rules struct {
	// Kept are directories krust reads or writes as its own: the output
	// layout, an oci: base's layout, the layer cache. No output may be
	// inside one, except a Layout output naming a kept layout itself.
	// They need not exist yet.
	Kept []Kept
	// Streams are krust's standard streams.
	Streams []Stream
}

var (
	// ErrInside means an output is inside an OCI layout or a directory
	// krust keeps.
	ErrInside = errors.New("inside a directory krust keeps")
	// ErrStandardStream means an output names "-" or is one of krust's
	// standard streams.
	ErrStandardStream = errors.New("is one of krust's standard streams")
	// ErrSameFile means two outputs name the same file.
	ErrSameFile = errors.New("two outputs name the same file")
	// ErrNotWritable means an output's directory cannot be written.
	ErrNotWritable = errors.New("not writable")
)

// Show prints a path for a message: as it is, or quoted when it holds a
// newline, a control or an invisible character (spaces and letters of
// any script stay as they are).
func Show(path string) string {
	if strings.IndexFunc(path, func(r rune) bool { return r != ' ' && !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(path)
	}
	return path
}

// problem is the error of one output: its setting and path, then why.
func problem(o Output, format string, args ...any) error {
	return refuse(o, nil, format, args...)
}

// refuse is problem for a refusal of kind (one of the Err values above,
// or regular.ErrNotRegular), which the error wraps without saying it.
func refuse(o Output, kind error, format string, args ...any) error {
	return &pathError{prefix: o.Setting + " " + Show(o.Path), kind: kind, err: fmt.Errorf(format, args...)}
}

// pathError is an output's error: it reads as prefix and err, and is
// both kind and err to errors.Is.
type pathError struct {
	prefix string
	kind   error
	err    error
}

func (e *pathError) Error() string { return e.prefix + ": " + e.err.Error() }

func (e *pathError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err}
	}
	return []error{e.kind, e.err}
}
