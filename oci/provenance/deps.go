package provenance

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/scrub"
	attestation "github.com/in-toto/attestation/go/v1"
	digest "github.com/opencontainers/go-digest"
	"google.golang.org/protobuf/types/known/structpb"
)

// gitCommit is the in-toto digest set's name of a git commit ID.
const gitCommit = "gitCommit"

// layoutPrefix starts a reference to an image in an OCI layout, as
// package layout and the builder read one (oci:DIR[:TAG]).
const layoutPrefix = "oci:"

// resolvedDependencies lists, in this order, the source commit, Cargo.lock,
// the base image, the files layer, rustc and cargo: each that in has.
func resolvedDependencies(in Input) ([]*attestation.ResourceDescriptor, error) {
	source, err := sourceDep(in.Source)
	if err != nil {
		return nil, err
	}
	lock, err := lockfileDep(in.Lockfile)
	if err != nil {
		return nil, err
	}
	base, err := baseDep(in.Base)
	if err != nil {
		return nil, err
	}
	files, err := filesDep(in.Files)
	if err != nil {
		return nil, err
	}
	var deps []*attestation.ResourceDescriptor
	for _, rd := range []*attestation.ResourceDescriptor{source, lock, base, files} {
		if rd != nil {
			deps = append(deps, rd)
		}
	}
	return append(deps, toolchainDeps(in.Toolchain)...), nil
}

// sourceDep is the commit built: uri git+URL@COMMIT (SPDX's form, which
// SLSA's examples use), digest gitCommit, and annotations.dirty. Without a
// repository URL it is named "source".
func sourceDep(s Source) (*attestation.ResourceDescriptor, error) {
	if s.Commit == "" {
		return nil, nil
	}
	if n := len(s.Commit); (n != 40 && n != 64) || !isHex(s.Commit) {
		return nil, fmt.Errorf("%w: source commit %q is not a full git commit ID (40 or 64 lowercase hex digits, as git rev-parse HEAD prints)", errInput, s.Commit)
	}
	rd := &attestation.ResourceDescriptor{
		Digest:      map[string]string{gitCommit: s.Commit},
		Annotations: &structpb.Struct{Fields: map[string]*structpb.Value{"dirty": structpb.NewBoolValue(s.Dirty)}},
	}
	if repo := scrub.URL(s.Repository); repo != "" {
		if !strings.HasPrefix(repo, "git://") && !strings.HasPrefix(repo, "git+") {
			repo = "git+" + repo
		}
		rd.Uri = repo + "@" + s.Commit
	} else {
		rd.Name = "source"
	}
	return rd, nil
}

func lockfileDep(d digest.Digest) (*attestation.ResourceDescriptor, error) {
	if d == "" {
		return nil, nil
	}
	set, err := digestSet(d)
	if err != nil {
		return nil, fmt.Errorf("%w: Cargo.lock: %w", errInput, err)
	}
	return &attestation.ResourceDescriptor{Name: "Cargo.lock", Digest: set}, nil
}

// baseDep is the base's platform manifest: name as the user gave it
// (scrubbed), uri its package URL, digest the manifest's.
func baseDep(b *Base) (*attestation.ResourceDescriptor, error) {
	if b == nil {
		return nil, nil
	}
	set, err := digestSet(b.Digest)
	if err != nil {
		return nil, fmt.Errorf("%w: base image %s: %w", errInput, scrub.ImageRef(b.Name), err)
	}
	return &attestation.ResourceDescriptor{
		Name:   scrub.ImageRef(b.Name),
		Uri:    ociPURL(b),
		Digest: set,
	}, nil
}

// ociPURL is the package URL of a registry base (pkg:oci/NAME@DIGEST with
// its repository_url and tag); "" for a base in a layout, which no
// repository holds.
func ociPURL(b *Base) string {
	if strings.HasPrefix(b.Name, layoutPrefix) {
		return ""
	}
	named, err := reference.ParseNormalizedNamed(b.Name)
	if err != nil {
		return ""
	}
	repo := named.Name()
	q := "repository_url=" + repo
	if t, ok := named.(reference.Tagged); ok {
		q += "&tag=" + url.QueryEscape(t.Tag())
	}
	return "pkg:oci/" + strings.ToLower(path.Base(repo)) + "@" + strings.ReplaceAll(b.Digest.String(), ":", "%3A") + "?" + q
}

// toolchainDeps are rustc and cargo. A toolchain has no digest here, so
// each is named, with what its --version printed as annotations.version
// (and rustc's host triple as annotations.host).
func toolchainDeps(t cargo.Toolchain) []*attestation.ResourceDescriptor {
	var deps []*attestation.ResourceDescriptor
	tool := func(name, version, host string) {
		if version == "" {
			return
		}
		f := map[string]*structpb.Value{"version": structpb.NewStringValue(scrub.Prose(version))}
		if host != "" {
			f["host"] = structpb.NewStringValue(host)
		}
		deps = append(deps, &attestation.ResourceDescriptor{Name: name, Annotations: &structpb.Struct{Fields: f}})
	}
	tool("rustc", t.Rustc, t.Host)
	tool("cargo", t.Cargo, "")
	return deps
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}
