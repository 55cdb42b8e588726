// Package testcrates writes, for tests, a cargo local registry of real
// crates (Debian's packaged sources in /usr/share/cargo/registry, as
// .ci/run installs them) that holds the sources of only some of them: an
// index entry for every crate, so that cargo resolves a whole Cargo.lock,
// and a .crate file only for those named. A CARGO_HOME that starts empty
// then holds, after a build, only the sources that build needed: what an
// air-gapped machine has after `cargo build` (not `cargo fetch`) ran once.
package testcrates

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// DebianRegistry is where Debian's librust-*-dev packages put crates'
// sources, one directory NAME-VERSION per crate.
const DebianRegistry = "/usr/share/cargo/registry"

// Config is the cargo configuration (a .cargo/config.toml) that takes
// crates.io's crates from the local registry at dir.
func Config(dir string) string {
	return fmt.Sprintf("[source.crates-io]\nreplace-with = \"krust-test\"\n\n[source.krust-test]\nlocal-registry = %q\n", dir)
}

// Write writes a local registry into dir from the crate directories in
// src: an index entry for each, and a .crate file for each one whose
// directory name (NAME-VERSION) is in sources. The checksum of a crate
// without a .crate file is a placeholder: cargo reads the sources of a
// crate only when it needs them, and then fails for want of the file.
func Write(dir, src string, sources []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("read the crates in %s: %w", src, err)
	}
	for _, want := range sources {
		if _, err := os.Stat(filepath.Join(src, want, "Cargo.toml")); err != nil {
			return fmt.Errorf("crate %s is not in %s: %w", want, src, err)
		}
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if err := writeCrate(dir, filepath.Join(src, e.Name()), slices.Contains(sources, e.Name())); err != nil {
			return fmt.Errorf("crate %s: %w", e.Name(), err)
		}
	}
	return nil
}

// writeCrate adds the crate in crateDir to the registry in dir: its index
// line and, with withSource, its .crate file.
func writeCrate(dir, crateDir string, withSource bool) error {
	m, err := readManifest(filepath.Join(crateDir, "Cargo.toml"))
	if err != nil {
		return err
	}
	e := m.indexEntry()
	sum := sha256.Sum256([]byte("no source: " + e.Name + " " + e.Vers))
	if withSource {
		data, err := crateFile(crateDir, e.Name+"-"+e.Vers)
		if err != nil {
			return err
		}
		sum = sha256.Sum256(data)
		if err := os.WriteFile(filepath.Join(dir, e.Name+"-"+e.Vers+".crate"), data, 0o644); err != nil {
			return err
		}
	}
	e.Cksum = hex.EncodeToString(sum[:])
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "index", indexPath(e.Name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// indexPath is where a registry index keeps a crate's entries: 1/a,
// 2/ab, 3/a/abc, ab/cd/abcd...
func indexPath(name string) string {
	n := strings.ToLower(name)
	switch len(n) {
	case 1, 2:
		return filepath.Join(fmt.Sprint(len(n)), n)
	case 3:
		return filepath.Join("3", n[:1], n)
	}
	return filepath.Join(n[:2], n[2:4], n)
}

// crateFile is the .crate of the crate in crateDir: a gzipped tar of its
// files under top/, in a fixed order with fixed times, so that its
// checksum is the same at every run.
func crateFile(crateDir, top string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	err := filepath.WalkDir(crateDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(crateDir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: top + "/" + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CratesKrustAMD64 are the crates (NAME-VERSION) whose sources the build
// of example/crates-krust for x86_64 needs: those it links, its proc
// macro serde_derive with the parsers it uses, and its build-dependency
// version_check; not hex, its dev-dependency, nor either, which it
// links only on aarch64.
var CratesKrustAMD64 = []string{
	"serde-1.0.152", "serde_json-1.0.87", "itoa-1.0.1", "ryu-1.0.2",
	"serde_derive-1.0.152", "proc-macro2-1.0.47", "quote-1.0.21", "syn-1.0.107", "unicode-ident-1.0.0",
	"version_check-0.9.4",
}

// Offline makes the Cargo project in dir build from the local registry in
// regDir (see Write): it replaces the project's .cargo/config.toml with
// one that takes crates.io's crates from there, and writes the project's
// Cargo.lock anew (`cargo generate-lockfile --offline`, in env), since
// the checksums of the registry's .crate files are not crates.io's.
func Offline(dir, regDir string, env []string) error {
	if err := os.MkdirAll(filepath.Join(dir, ".cargo"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, ".cargo", "config.toml"), []byte(Config(regDir)), 0o644); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dir, "Cargo.lock")); err != nil && !os.IsNotExist(err) {
		return err
	}
	cmd := exec.Command("cargo", "generate-lockfile", "--offline")
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("cargo generate-lockfile in %s: %w\n%s", dir, err, out)
	}
	return nil
}
