package builder

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/regular"
	digest "github.com/opencontainers/go-digest"
)

// inputsPrint is the fingerprint of cargo.Inputs: one digest of them all,
// and the digest of each file's bytes ("" for a missing file).
type inputsPrint struct {
	digest digest.Digest
	files  map[string]digest.Digest
}

// fingerprint hashes what in (and extra) says decides an answer: each
// file's bytes (a missing one as missing), each program's path, size
// and modification time, and the environment. A file that is not
// regular (a FIFO, a directory) is an error: it is opened without
// blocking, and the answer is then not cached.
func fingerprint(in cargo.Inputs, extra ...string) (inputsPrint, error) {
	h := sha256.New()
	p := inputsPrint{files: map[string]digest.Digest{}}
	buf := make([]byte, 32<<10)
	for _, path := range in.Files {
		d, err := fileDigest(path, buf)
		if err != nil {
			return inputsPrint{}, err
		}
		p.files[path] = d
		fmt.Fprintf(h, "file\x00%s\x00%s\n", path, d)
	}
	for _, path := range in.Programs {
		if err := stampProgram(h, path); err != nil {
			return inputsPrint{}, err
		}
	}
	for _, kv := range in.Env {
		fmt.Fprintf(h, "env\x00%s\n", kv)
	}
	for _, s := range extra {
		fmt.Fprintf(h, "extra\x00%s\n", s)
	}
	p.digest = digest.NewDigest(digest.SHA256, h)
	return p, nil
}

// fileDigest is the digest of the bytes of the regular file at path, or
// "" when it does not exist.
func fileDigest(path string, buf []byte) (digest.Digest, error) {
	f, _, err := regular.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, f, buf); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return digest.NewDigest(digest.SHA256, h), nil
}

// stampProgram writes what identifies the program at path into h.
func stampProgram(h hash.Hash, path string) error {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(h, "program\x00%s\x00missing\n", path)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(h, "program\x00%s\x00%d\x00%d\x00%s\n", path, info.Size(), info.ModTime().UnixNano(), info.Mode())
	return nil
}
