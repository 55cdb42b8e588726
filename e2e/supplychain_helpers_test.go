package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/pelletier/go-toml/v2"
)

// Artifact types of the documents krust attaches.
const (
	spdxArtifact       = "application/spdx+json"
	cyclonedxArtifact  = "application/vnd.cyclonedx+json"
	provenanceArtifact = "application/vnd.in-toto+json"
)

// wantCrate is a crate cargo links into crates-krust's binary.
type wantCrate struct {
	version string
	license string   // licenseDeclared: Cargo.toml's, as an SPDX expression
	path    bool     // a path crate of the workspace: no purl, no checksum
	deps    []string // the linked crates it depends on
}

// linkedCrates are the crates linked into example/crates-krust's binary
// for arch (amd64 or arm64): the resolve also holds serde_derive and its
// parsers (a proc-macro), version_check (a build-dependency) and hex (a
// dev-dependency), which are not linked; either is linked only on aarch64.
func linkedCrates(arch string) map[string]wantCrate {
	mitApache := "MIT OR Apache-2.0"
	crates := map[string]wantCrate{
		"crates-krust": {version: "0.1.0", license: "Apache-2.0", path: true, deps: []string{"greeting", "serde", "serde_json"}},
		"greeting":     {version: "0.1.0", license: "Apache-2.0", path: true},
		"serde":        {version: "1.0.152", license: mitApache},
		"serde_json":   {version: "1.0.87", license: mitApache, deps: []string{"itoa", "ryu", "serde"}},
		"itoa":         {version: "1.0.1", license: mitApache},
		"ryu":          {version: "1.0.2", license: "Apache-2.0 OR BSL-1.0"},
	}
	if arch == "arm64" {
		// Its Cargo.toml says "MIT/Apache-2.0", cargo's old spelling.
		crates["either"] = wantCrate{version: "1.6.1", license: mitApache}
		root := crates["crates-krust"]
		root.deps = []string{"either", "greeting", "serde", "serde_json"}
		crates["crates-krust"] = root
	}
	return crates
}

// notLinked are crates in crates-krust's resolve that no SBOM may list.
var notLinked = []string{"serde_derive", "proc-macro2", "quote", "syn", "unicode-ident", "version_check", "hex"}

// copyCrates copies example/crates-krust with every file it has (its
// .cargo/config.toml, build.rs, the greeting member, Cargo.lock) but no
// target directory into parent, and returns the copy's path.
func copyCrates(t *testing.T, parent string) string {
	t.Helper()
	src := filepath.Join(h.root, "example", "crates-krust")
	dst := filepath.Join(parent, "crates-krust")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel == "target" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatalf("copy example/crates-krust: %v", err)
	}
	for _, rel := range []string{".cargo/config.toml", "build.rs", "greeting/Cargo.toml", "Cargo.lock"} {
		if _, err := os.Stat(filepath.Join(dst, rel)); err != nil {
			t.Fatalf("the copy lacks %s: %v", rel, err)
		}
	}
	return dst
}

// lockChecksums returns Cargo.lock's checksum of every crate that has a
// real one (Debian's packaged sources give some a placeholder), by name.
func lockChecksums(t *testing.T, project string) map[string]string {
	t.Helper()
	var lock struct {
		Package []struct{ Name, Version, Checksum string } `toml:"package"`
	}
	data, err := os.ReadFile(filepath.Join(project, "Cargo.lock"))
	if err != nil {
		t.Fatal(err)
	}
	if err := toml.Unmarshal(data, &lock); err != nil {
		t.Fatalf("Cargo.lock: %v", err)
	}
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	sums := map[string]string{}
	for _, p := range lock.Package {
		if hex64.MatchString(p.Checksum) {
			sums[p.Name] = p.Checksum
		}
	}
	return sums
}

// cargoTomlLicense is the license field of a crate's Cargo.toml, as an
// SPDX expression: cargo's old "MIT/Apache-2.0" means "MIT OR Apache-2.0".
func cargoTomlLicense(t *testing.T, project, name, version string, path bool) string {
	t.Helper()
	file := filepath.Join("/usr/share/cargo/registry", name+"-"+version, "Cargo.toml")
	if path {
		file = filepath.Join(project, "Cargo.toml")
		if name != "crates-krust" {
			file = filepath.Join(project, name, "Cargo.toml")
		}
	}
	var manifest struct {
		Package struct{ License string } `toml:"package"`
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the crate's own Cargo.toml: %v", err)
	}
	if err := toml.Unmarshal(data, &manifest); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return strings.ReplaceAll(manifest.Package.License, "/", " OR ")
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// layoutReferrers returns the index.json entries of the layout at dir
// that have no tag (the referrers), sorted by digest.
func layoutReferrers(t *testing.T, dir string) []ocispec.Descriptor {
	t.Helper()
	var idx ocispec.Index
	readJSONFile(t, filepath.Join(dir, "index.json"), &idx)
	var out []ocispec.Descriptor
	for _, m := range idx.Manifests {
		if _, tagged := m.Annotations[ocispec.AnnotationRefName]; !tagged {
			out = append(out, m)
		}
	}
	sortDescriptors(out)
	return out
}

func sortDescriptors(ds []ocispec.Descriptor) {
	slices.SortFunc(ds, func(a, b ocispec.Descriptor) int { return strings.Compare(string(a.Digest), string(b.Digest)) })
}

// byArtifactType indexes descriptors by artifact type, failing when a
// type appears twice.
func byArtifactType(t *testing.T, ds []ocispec.Descriptor) map[string]ocispec.Descriptor {
	t.Helper()
	out := map[string]ocispec.Descriptor{}
	for _, d := range ds {
		if _, dup := out[d.ArtifactType]; dup {
			t.Errorf("two referrers of artifact type %s: %v", d.ArtifactType, ds)
		}
		out[d.ArtifactType] = d
	}
	return out
}

// artifactTypes returns the sorted artifact types of ds.
func artifactTypes(ds []ocispec.Descriptor) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ArtifactType)
	}
	slices.Sort(out)
	return out
}

// orasDiscover lists the referrers of ref with the oras CLI; args select
// the store (--oci-layout, --plain-http).
func orasDiscover(t *testing.T, ref string, args ...string) []ocispec.Descriptor {
	t.Helper()
	_, refs := orasDiscoverSubject(t, ref, args...)
	return refs
}

// orasDiscoverSubject is orasDiscover that also returns the digest of the
// manifest oras resolved ref to (with --platform, the platform's).
func orasDiscoverSubject(t *testing.T, ref string, args ...string) (string, []ocispec.Descriptor) {
	t.Helper()
	requireTool(t, "oras")
	out := mustRun(t, "", "oras", append(append([]string{"discover", "--format", "json", "--depth", "1"}, args...), ref)...)
	var got struct {
		Digest    string               `json:"digest"`
		Referrers []ocispec.Descriptor `json:"referrers"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("oras discover %s printed %s: %v", ref, out, err)
	}
	sortDescriptors(got.Referrers)
	return got.Digest, got.Referrers
}

// regctlArtifacts lists the referrers of ref with regctl, configured in a
// home of its own to speak plain HTTP to host.
func regctlArtifacts(t *testing.T, host, ref string) []ocispec.Descriptor {
	t.Helper()
	requireTool(t, "regctl")
	res := run(t, "", []string{"HOME=" + t.TempDir()}, "regctl", "--host", "reg="+host+",tls=disabled",
		"artifact", "list", ref, "--format", "{{json .Descriptors}}")
	if res.code != 0 {
		t.Fatalf("regctl artifact list %s: exit %d\n%s", ref, res.code, res.stderr)
	}
	var got []ocispec.Descriptor
	if err := json.Unmarshal([]byte(res.stdout), &got); err != nil {
		t.Fatalf("regctl artifact list %s printed %s: %v", ref, res.stdout, err)
	}
	sortDescriptors(got)
	return got
}

// orasPullDocument pulls the referrer digest from the layout at dir with
// `oras pull`, checks that it is one file, and returns its name and bytes.
func orasPullDocument(t *testing.T, dir, digest string) (string, []byte) {
	t.Helper()
	requireTool(t, "oras")
	out := t.TempDir()
	mustRun(t, "", "oras", "pull", "--oci-layout", dir+"@"+digest, "--output", out)
	entries, err := os.ReadDir(out)
	if err != nil || len(entries) != 1 {
		t.Fatalf("oras pull of referrer %s wrote %v (%v), want one document", digest, entries, err)
	}
	data, err := os.ReadFile(filepath.Join(out, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	return entries[0].Name(), data
}

// checkReferrerManifest checks the referrer manifest desc in the layout
// at dir: an OCI 1.1 artifact of its artifact type with the empty config,
// one layer and the subject.
func checkReferrerManifest(t *testing.T, dir string, desc, subject ocispec.Descriptor) {
	t.Helper()
	var m ocispec.Manifest
	readJSONFile(t, blobPath(dir, desc), &m)
	switch {
	case m.MediaType != ocispec.MediaTypeImageManifest || m.ArtifactType != desc.ArtifactType:
		t.Errorf("referrer %s: media type %s, artifactType %s; want an image manifest of %s", desc.Digest, m.MediaType, m.ArtifactType, desc.ArtifactType)
	case m.Config.MediaType != ocispec.MediaTypeEmptyJSON || m.Config.Digest != ocispec.DescriptorEmptyJSON.Digest:
		t.Errorf("referrer %s: config %s %s, want the empty config", desc.Digest, m.Config.MediaType, m.Config.Digest)
	case len(m.Layers) != 1 || m.Layers[0].MediaType != desc.ArtifactType:
		t.Errorf("referrer %s: layers %v, want one %s", desc.Digest, m.Layers, desc.ArtifactType)
	case m.Subject == nil || m.Subject.Digest != subject.Digest || m.Subject.MediaType != subject.MediaType:
		t.Errorf("referrer %s: subject %v, want %s", desc.Digest, m.Subject, subject.Digest)
	}
}

// rustcVersion is `RUSTC --version` run in dir, as cargo there runs it
// (with rustup's proxy, its toolchain file and overrides count).
func rustcVersion(t *testing.T, dir, rustc string) string {
	t.Helper()
	res := run(t, dir, nil, rustc, "--version")
	if res.code != 0 {
		t.Fatalf("rustc --version: %s", res.stderr)
	}
	return strings.TrimSpace(res.stdout)
}
