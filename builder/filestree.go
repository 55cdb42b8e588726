package builder

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/regular"
	"github.com/docker-krust/docker-krust/oci"
)

// Modes of the files layer's entries: whatever the checkout's umask and
// owners, a file is 0644, or 0755 when any of its execute bits is set,
// and a directory 0755.
const (
	fileMode = 0o644
	dirMode  = 0o755
)

// maxLinkHops bounds the links followed to resolve one link of a tree, as
// the kernel's own limit does.
const maxLinkHops = 40

// FilesError is an entry of the files setting that cannot go into the
// image; errors.Is(err, ErrFiles) holds.
type FilesError struct {
	// Spec is the entry of the setting, Path the file or directory it
	// found at fault, as the setting names it (FROM/...).
	Spec config.FileSpec
	Path string
	// Reason says what is wrong and how to fix it.
	Reason string
}

func (e *FilesError) Error() string {
	return fmt.Sprintf("%s %s (entry %s of files): %s", e.Path, ErrFiles, e.Spec, e.Reason)
}

func (e *FilesError) Is(target error) bool { return target == ErrFiles }

// tree is what the walk of one entry of the files setting found.
type tree struct {
	spec config.FileSpec
	// host is the directory the entries' hosts are relative to.
	host string
	// entries are by their path in the image (relative to /).
	entries map[string]entrySource
	errs    []error
	// file says from is a file, not a directory tree.
	file bool
}

// refuse records that the host file rel (relative to the entry's from)
// cannot go into the image, and why.
func (t *tree) refuse(rel, reason string, args ...any) {
	shown := t.spec.From
	if rel != "." && rel != "" && !t.file {
		shown = path.Join(filepath.ToSlash(t.spec.From), filepath.ToSlash(rel))
	}
	t.errs = append(t.errs, &FilesError{Spec: t.spec, Path: shown, Reason: fmt.Sprintf(reason, args...)})
}

// walkFiles walks the file or directory spec names, from relative to dir,
// without following any link, and returns its entries at their place in
// the image, or every reason it cannot go there.
func walkFiles(ctx context.Context, spec config.FileSpec, dir, target string) *tree {
	from := filepath.FromSlash(spec.From)
	if !filepath.IsAbs(from) {
		from = filepath.Join(dir, from)
	}
	t := &tree{spec: spec, host: from, entries: map[string]entrySource{}}
	to := strings.TrimPrefix(spec.To, "/")
	info, err := os.Lstat(from)
	switch {
	case err != nil:
		t.refuse(".", "%v: create it, or fix from", unwrapPath(err))
	case info.Mode().IsRegular() && to == "":
		t.refuse(".", `a file cannot be the image's root directory: write to as the file's path, e.g. "/%s"`, filepath.Base(from))
	case info.Mode().IsRegular():
		t.host, t.file = filepath.Dir(from), true
		t.add(filepath.Base(from), to, info)
	case info.IsDir():
		t.walk(ctx, to, target)
	case info.Mode()&fs.ModeSymlink != 0:
		link, _ := os.Readlink(from)
		t.refuse(".", "it is a symbolic link (to %s), and krust follows no link to find files: name what it points to, or copy that into the project", link)
	default:
		t.refuse(".", "it is %s, which an image cannot hold: name a file or a directory", regular.Describe(info.Mode()))
	}
	if len(t.errs) == 0 {
		t.checkLinks()
	}
	return t
}

// walk adds the directory tree at t.host, put at to; it stops early,
// leaving the rest out, once ctx is done. cargo's target directory, which
// the build itself writes, is refused.
func (t *tree) walk(ctx context.Context, to, target string) {
	err := filepath.WalkDir(t.host, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return filepath.SkipAll
		}
		rel, _ := filepath.Rel(t.host, p)
		if target != "" && p == filepath.Clean(target) {
			t.refuse(rel, "it is cargo's target directory, which the build writes: name the directories to put into the image, not one that holds it")
			return filepath.SkipDir
		}
		if err != nil {
			t.refuse(rel, "%v: make it readable, or move it out of the tree", unwrapPath(err))
			return nil
		}
		info, err := d.Info()
		if err != nil {
			t.refuse(rel, "%v", unwrapPath(err))
			return nil
		}
		inImage := path.Join(to, filepath.ToSlash(rel))
		if rel == "." {
			inImage = to
		}
		t.add(rel, inImage, info)
		return nil
	})
	if err != nil {
		t.refuse(".", "%v", err)
	}
}

// add adds the host file rel, described by info, at inImage ("" is the
// root, which the layer does not list).
func (t *tree) add(rel, inImage string, info fs.FileInfo) {
	f := oci.File{Path: inImage}
	mode := info.Mode()
	switch {
	case mode.IsRegular():
		f.Mode, f.Size = fileMode, info.Size()
		if mode.Perm()&0o111 != 0 {
			f.Mode = exeMode
		}
	case mode.IsDir():
		f.Type, f.Mode = oci.Directory, dirMode
	case mode&fs.ModeSymlink != 0:
		link, err := os.Readlink(filepath.Join(t.host, rel))
		if err != nil {
			t.refuse(rel, "%v", unwrapPath(err))
			return
		}
		f.Type, f.Link = oci.Symlink, link
	default:
		t.refuse(rel, "it is %s, which an image cannot hold: remove it, or move it out of the tree", regular.Describe(mode))
		return
	}
	if inImage == "" {
		return
	}
	t.entries[inImage] = entrySource{file: f, host: rel, tree: t.host}
}

// unwrapPath drops the absolute path a *fs.PathError names: the message
// names the file as the setting does.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
