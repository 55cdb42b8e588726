package builder

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/oci/sbom"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// leakyGraph is a crate graph holding what must never reach a cache
// file: passwords in Cargo.toml's URLs and in a registry's and a git
// dependency's addresses, and the build machine's directories in IDs,
// path sources, license files and file:// URLs.
func leakyGraph() *cargo.Graph {
	root := "path+file:///home/alice/SECRETdir/app#0.1.0"
	dep := "path+file:///srv/SECRETdep/dep#0.2.0"
	git := "git+file:///tmp/SECRETgit/gitdep?branch=main#abc123"
	reg := "registry+https://u:SECRETregPW@r.example.invalid/index#serde@1.0.0"
	crates := []cargo.Crate{
		{ID: root, Name: "app", Version: "0.1.0", License: "MIT", LicenseFile: "/home/alice/SECRETlic/LICENSE",
			Description: "see https://d:SECRETdescPW@example.invalid/docs", Homepage: "https://a:p=SECREThomePW@example.invalid/",
			Repository: "git@github.com:SECRETuser/app.git", Source: cargo.Source{Kind: cargo.SourcePath, Path: "."},
			Dependencies: []string{dep, git, reg, "registry+https://github.com/rust-lang/crates.io-index#log@0.4.0"}},
		{ID: dep, Name: "dep", Version: "0.2.0", Source: cargo.Source{Kind: cargo.SourcePath, Path: "../../srv/SECRETdep/dep"}},
		{ID: git, Name: "gitdep", Version: "0.3.0", Source: cargo.Source{Kind: cargo.SourceGit, URL: "file:///tmp/SECRETgit/gitdep", Rev: "abc123", Ref: "branch=main"}},
		{ID: reg, Name: "serde", Version: "1.0.0", Checksum: strings.Repeat("ab", 32), Source: cargo.Source{Kind: cargo.SourceRegistry, URL: "https://u:SECRETregPW@r.example.invalid/index"}},
		{ID: "registry+https://github.com/rust-lang/crates.io-index#log@0.4.0", Name: "log", Version: "0.4.0", Checksum: strings.Repeat("cd", 32),
			Source: cargo.Source{Kind: cargo.SourceRegistry, URL: cargo.CratesIO}, Features: []string{"std"}},
	}
	return &cargo.Graph{Root: root, Crates: crates, Lockfile: cargo.Lockfile{Path: "/home/alice/SECRETdir/Cargo.lock", Digest: digest.FromString("lock")}}
}

// A graph goes into the cache without a secret or a directory of the
// machine, and comes out giving the very documents cargo's answer gives.
func TestGraphEntryKeepsNoSecretAndChangesNoDocument(t *testing.T) {
	g := leakyGraph()
	data, err := json.Marshal(newGraphEntry(g))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"SECRET", "alice", "/srv", "/tmp", "file:///"} {
		if bytes.Contains(data, []byte(leak)) {
			t.Errorf("the cache entry holds %q:\n%s", leak, data)
		}
	}
	var e graphEntry
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatal(err)
	}
	var req cargo.DepsRequest
	for _, c := range g.Crates {
		req.Built = append(req.Built, cargo.BuiltPackage{ID: c.ID})
	}
	back, err := e.graph(req, g.Lockfile)
	if err != nil {
		t.Fatal(err)
	}
	if back.Root != g.Root || back.Lockfile != g.Lockfile {
		t.Errorf("root %q lockfile %v, want %q %v", back.Root, back.Lockfile, g.Root, g.Lockfile)
	}
	for _, k := range []attest.Format{attest.SPDX, attest.CycloneDX} {
		in := sbom.Input{Graph: g, Bin: "app", Toolchain: cargo.Toolchain{Rustc: "rustc 1.95.0", Cargo: "cargo 1.95.0", Host: "x86_64-unknown-linux-gnu"},
			Created: time.Unix(1, 0), Tool: "docker-krust test", Image: sbom.Image{Name: "app", Digest: digest.FromString("m"), Platform: ocispec.Platform{OS: "linux", Architecture: "amd64"}}}
		want, err := sbom.Encode(k, in)
		if err != nil {
			t.Fatal(err)
		}
		in.Graph = back
		got, err := sbom.Encode(k, in)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s from the cached graph differs from cargo's:\n%s\nwant:\n%s", k, got, want)
		}
	}
}
