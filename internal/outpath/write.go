package outpath

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/docker-krust/docker-krust/internal/atomicfile"
	"github.com/docker-krust/docker-krust/internal/regular"
)

// defaultPerm is the mode of a file krust creates.
const defaultPerm fs.FileMode = 0o644

// WriteOptions bound the writing of a stream.
type WriteOptions struct {
	// Wait bounds the wait for a pipe's reader to come and, once it
	// reads, for it to take more; 0 waits until the context ends.
	Wait time.Duration
	// Log, when set, hears that krust waits for a reader.
	Log io.Writer
}

// Write writes t's content with write: a regular file is replaced
// atomically (a temp file beside it, fsync, rename; a failure leaves the
// old file and no temp file) and keeps the mode it had, a new one gets
// 0644; a pipe is written in place, as a stream (see WriteOptions).
func (t Target) Write(ctx context.Context, opts WriteOptions, write func(io.Writer) error) error {
	if t.Kind != File {
		return problem(t.Output, "not a file")
	}
	if t.Stream {
		return t.stream(ctx, opts, write)
	}
	perm := defaultPerm
	if t.info != nil {
		perm = t.info.Mode().Perm()
	}
	if err := t.unchanged(); err != nil {
		return err
	}
	if err := atomicfile.WriteWith(t.Real, perm, write); err != nil {
		return problem(t.Output, "%w", err)
	}
	return nil
}

// WriteFile is Write for data held in memory.
func (t Target) WriteFile(ctx context.Context, opts WriteOptions, data []byte) error {
	return t.Write(ctx, opts, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// unchanged refuses to replace what was put at t.Real since it was
// checked (a build takes a while): only a regular file, or nothing, is
// replaced.
func (t Target) unchanged() error {
	info, err := os.Lstat(t.Real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return problem(t.Output, "%w", err)
	case !info.Mode().IsRegular():
		return problem(t.Output, "%w (it was not when the build started); nothing was written", regular.NotRegular(Show(t.Real), info.Mode()))
	}
	return nil
}

// New reports whether nothing was at t's path when it was checked, so
// that Write creates the file.
func (t Target) New() bool { return t.info == nil && !t.Stream }

// Join is the output for the file name inside the directory t names.
func (t Target) Join(name string) Output {
	return Output{Setting: t.Setting, Path: filepath.Join(t.Path, name), Kind: File}
}

// MakeDir creates the directory t names and its missing parents (at its
// resolved path, so through its links). undo removes again the
// directories it created, innermost first, while they are empty; it
// never removes one that existed.
func (t Target) MakeDir() (undo func(), err error) {
	if t.Kind != Dir {
		return nil, problem(t.Output, "not a directory")
	}
	var created []string
	for d := t.Real; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) || filepath.Dir(d) == d {
			break
		}
		created = append(created, d)
	}
	undo = func() {
		for _, d := range created {
			_ = os.Remove(d)
		}
	}
	if err := os.MkdirAll(t.Real, 0o755); err != nil {
		undo()
		return nil, problem(t.Output, "%w", err)
	}
	return undo, nil
}

// ctxErr is why ctx ended, wrapping context.Canceled or
// context.DeadlineExceeded too.
func ctxErr(ctx context.Context) error {
	cause := context.Cause(ctx)
	if errors.Is(cause, ctx.Err()) {
		return cause
	}
	return fmt.Errorf("%w (%w)", cause, ctx.Err())
}
