package resolve

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/docker-krust/docker-krust/internal/regular"
)

// MaxFileSize is the most bytes ReadSources reads from one file or from
// standard input.
const MaxFileSize = 64 << 20

// ReadSources reads the inputs paths name, in the order given: "-" is
// stdin (at most once), a directory gives its .yaml, .yml and .json files
// in name order, and any other path is one file, read whatever its name.
// Subdirectories are read, in name order among the files, only when
// recursive is true; a symbolic link to a directory inside one is not
// followed, one to a file is read. What is not a regular file (a FIFO, a
// device, a socket) is refused without blocking, with its path; so are a
// file larger than MaxFileSize and a directory with no file to read.
func ReadSources(paths []string, stdin io.Reader, recursive bool) ([]Source, error) {
	var out []Source
	stdinRead := false
	for _, p := range paths {
		if p != "-" {
			srcs, err := readPath(p, recursive)
			if err != nil {
				return nil, err
			}
			out = append(out, srcs...)
			continue
		}
		if stdinRead {
			return nil, ErrStdinRepeated
		}
		stdinRead = true
		src, err := readStdin(stdin, MaxFileSize)
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, nil
}

// readStdin reads stdin, refusing more than limit bytes.
func readStdin(stdin io.Reader, limit int64) (Source, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(stdin, limit+1))
	if err != nil {
		return Source{}, fmt.Errorf("read standard input: %w", err)
	}
	if n > limit {
		return Source{}, fmt.Errorf("standard input is more than the %d bytes krust reads: %w", limit, ErrTooLarge)
	}
	return Source{Name: "-", Data: buf.Bytes()}, nil
}

// readPath reads the file or directory at path.
func readPath(path string, recursive bool) ([]Source, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read manifests: %w", err)
	}
	if !info.IsDir() {
		src, err := readFile(path)
		if err != nil {
			return nil, err
		}
		return []Source{src}, nil
	}
	srcs, err := readDir(path, recursive, nil)
	if err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("directory %s: %w", path, ErrNoManifests)
	}
	return srcs, nil
}

// readDir appends to out the manifests of dir, in name order.
func readDir(dir string, recursive bool, out []Source) ([]Source, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read manifests: %w", err)
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir():
			if recursive {
				if out, err = readDir(path, recursive, out); err != nil {
					return nil, err
				}
			}
		case isManifest(e.Name()):
			src, err := readFile(path)
			if err != nil {
				return nil, err
			}
			out = append(out, src)
		}
	}
	return out, nil
}

func isManifest(name string) bool {
	switch filepath.Ext(name) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// readFile reads the regular file at path.
func readFile(path string) (Source, error) {
	data, err := regular.ReadFile(path, MaxFileSize)
	if err != nil {
		return Source{}, fmt.Errorf("read manifests: %w", err)
	}
	return Source{Name: path, Data: data}, nil
}
