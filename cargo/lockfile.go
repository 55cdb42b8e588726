package cargo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/docker-krust/docker-krust/internal/regular"
	digest "github.com/opencontainers/go-digest"
	"github.com/pelletier/go-toml/v2"
)

// LockfileName is the name of the lockfile in a workspace's root.
const LockfileName = "Cargo.lock"

// MaxLockfileBytes bounds the Cargo.lock krust reads. A package takes
// about 150-300 bytes of it (name, version, source, checksum, its
// dependencies), so a workspace of 2,000 crates has a lockfile of about
// 500 KB; 8 MiB is room for some 34,000, which decode in about 0.13 s
// (BenchmarkReadLockfile).
const MaxLockfileBytes = 8 << 20

// lockKey identifies a package in Cargo.lock: name, version and source
// string ("" for a path package), as cargo metadata gives them too.
type lockKey struct {
	name, version, source string
}

// lockedPackages maps each package of a Cargo.lock to its checksum ("" if
// it has none).
type lockedPackages map[lockKey]string

// lockfileData is the part of Cargo.lock read here. Versions 2 to 4 keep
// each package's checksum in its [[package]] entry; version 1 keeps them
// in [metadata] as "checksum NAME VERSION (SOURCE)" = "HEX" (or "<none>").
type lockfileData struct {
	Package []struct {
		Name     string `toml:"name"`
		Version  string `toml:"version"`
		Source   string `toml:"source"`
		Checksum string `toml:"checksum"`
	} `toml:"package"`
	Metadata map[string]string `toml:"metadata"`
}

// readLockfile reads the Cargo.lock at path, at most MaxLockfileBytes, and
// returns it with the packages it locks.
// ReadLockfile reads the Cargo.lock of the workspace at root, checked as
// Graph checks it, for what needs its digest and not the crate graph
// (the provenance of a build without SBOM).
func ReadLockfile(root string) (Lockfile, error) {
	lock, _, err := readLockfile(filepath.Join(root, LockfileName))
	return lock, err
}

func readLockfile(path string) (Lockfile, lockedPackages, error) {
	data, err := regular.ReadFile(path, MaxLockfileBytes)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Lockfile{}, nil, fmt.Errorf("%s does not exist: cargo writes it when it builds; build the project with cargo first, or check that it is not kept elsewhere (-Z lockfile-path)", path)
	case errors.Is(err, regular.ErrTooLarge):
		return Lockfile{}, nil, fmt.Errorf("%s is larger than the %d bytes (%d MiB) krust reads of a Cargo.lock: that is far more than the largest workspaces lock; check that it is cargo's lockfile", path, MaxLockfileBytes, MaxLockfileBytes>>20)
	case errors.Is(err, regular.ErrNotRegular):
		return Lockfile{}, nil, fmt.Errorf("%w; remove it (cargo writes it again) or put the project's Cargo.lock there", err)
	case err != nil:
		return Lockfile{}, nil, fmt.Errorf("read %s: %w", path, err)
	}
	pkgs, err := parseLockfile(data)
	if err != nil {
		return Lockfile{}, nil, fmt.Errorf("read %s: %w", path, err)
	}
	return Lockfile{Path: path, Digest: digest.FromBytes(data)}, pkgs, nil
}

// parseLockfile decodes a Cargo.lock of any version.
func parseLockfile(data []byte) (lockedPackages, error) {
	var lock lockfileData
	if err := toml.NewDecoder(bytes.NewReader(data)).Decode(&lock); err != nil {
		return nil, err
	}
	pkgs := make(lockedPackages, len(lock.Package))
	for _, p := range lock.Package {
		pkgs[lockKey{p.Name, p.Version, p.Source}] = checksumOf(p.Checksum)
	}
	for key, sum := range lock.Metadata {
		if k, ok := v1ChecksumKey(key); ok && pkgs[k] == "" {
			pkgs[k] = checksumOf(sum)
		}
	}
	return pkgs, nil
}

// v1ChecksumKey reads a version-1 [metadata] key,
// "checksum NAME VERSION (SOURCE)".
func v1ChecksumKey(key string) (lockKey, bool) {
	rest, ok := strings.CutPrefix(key, "checksum ")
	if !ok {
		return lockKey{}, false
	}
	name, rest, _ := strings.Cut(rest, " ")
	version, source, _ := strings.Cut(rest, " ")
	source, okSource := strings.CutPrefix(source, "(")
	source, okEnd := strings.CutSuffix(source, ")")
	if name == "" || version == "" || !okSource || !okEnd {
		return lockKey{}, false
	}
	return lockKey{name, version, source}, true
}

// checksumOf is sum if it is a hex SHA-256, else "": version 1's
// "<none>", and what a directory source without checksums puts there
// (Debian's packaged crates say "Could not get crate checksum").
func checksumOf(sum string) string {
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return ""
	}
	return sum
}
