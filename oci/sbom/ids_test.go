package sbom

import (
	"regexp"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/google/uuid"
	digest "github.com/opencontainers/go-digest"
)

// spdxIDPattern is what SPDX 2.3 allows after "SPDXRef-".
var spdxIDPattern = regexp.MustCompile(`^[A-Za-z0-9.-]+$`)

func TestCrateRefsAreValidAndUnique(t *testing.T) {
	git := cargo.Source{Kind: cargo.SourceGit, URL: "https://github.com/acme/foo", Rev: "abc"}
	crates := []cargo.Crate{
		{Name: "foo", Version: "1.0.0", Source: cratesIO},
		{Name: "foo", Version: "1.1.0", Source: cratesIO},                                             // another version
		{Name: "foo", Version: "1.0.0", Source: cargo.Source{Kind: cargo.SourcePath, Path: "foo"}},    // a path crate of that name and version
		{Name: "foo", Version: "1.0.0", Source: cargo.Source{Kind: cargo.SourcePath, Path: "../foo"}}, // and another
		{Name: "foo", Version: "1.0.0", Source: git},
		{Name: "foo", Version: "1.0.0", Source: cargo.Source{Kind: cargo.SourceGit, URL: git.URL, Rev: "def"}},
		{Name: "foo", Version: "1.0.0", Source: cargo.Source{Kind: cargo.SourceRegistry, URL: "https://r.example/index"}},
		{Name: "foo_bar", Version: "1.0.0", Source: cratesIO}, // sanitised alike
		{Name: "foo-bar", Version: "1.0.0", Source: cargo.Source{Kind: cargo.SourcePath, Path: "fb"}},
		{Name: "v", Version: "1.0.0+a", Source: cratesIO},
		{Name: "v", Version: "1.0.0-a", Source: cratesIO},
	}
	seen := map[string]cargo.Crate{}
	for _, c := range crates {
		ref := crateRef(c, c.Source.URL)
		if !spdxIDPattern.MatchString(ref) {
			t.Errorf("crateRef(%+v) = %q: not a valid SPDX ID", c, ref)
		}
		if !strings.HasPrefix(ref, "crate-"+sanitizeID(c.Name)+"-"+sanitizeID(c.Version)+"-") {
			t.Errorf("crateRef(%+v) = %q: does not start with its name and version", c, ref)
		}
		if other, dup := seen[ref]; dup {
			t.Errorf("crates %+v and %+v share the ref %q", other, c, ref)
		}
		seen[ref] = c
	}
}

// A crate's identifiers come from its name, version and source, not from
// cargo's package ID, which holds the machine's absolute paths.
func TestCrateRefIsTheSameOnEveryMachine(t *testing.T) {
	a := cargo.Crate{ID: "path+file:///home/alice/app#0.1.0", Name: "app", Version: "0.1.0",
		Source: cargo.Source{Kind: cargo.SourcePath, Path: "."}}
	b := a
	b.ID = "path+file:///builds/ci/1234/app#0.1.0"
	if crateRef(a, "") != crateRef(b, "") {
		t.Errorf("refs differ: %q, %q", crateRef(a, ""), crateRef(b, ""))
	}
}

func TestNamespaceAndSerialFromDigest(t *testing.T) {
	other := digest.FromString("another image")
	ns := spdxNamespace("127.0.0.1:5000/app", imageDigest)
	if want := "https://docker-krust.dev/spdx/127.0.0.1:5000/app/sha256-" + imageDigest.Encoded(); ns != want {
		t.Errorf("namespace = %q, want %q", ns, want)
	}
	if ns == spdxNamespace("127.0.0.1:5000/app", other) {
		t.Errorf("namespace %q does not depend on the digest", ns)
	}
	serial := cycloneDXSerial("127.0.0.1:5000/app", imageDigest)
	if serial != cycloneDXSerial("127.0.0.1:5000/app", imageDigest) {
		t.Error("serial number is not stable")
	}
	if serial == cycloneDXSerial("127.0.0.1:5000/app", other) {
		t.Errorf("serial %q does not depend on the digest", serial)
	}
	u, err := uuid.Parse(strings.TrimPrefix(serial, "urn:uuid:"))
	if err != nil || !strings.HasPrefix(serial, "urn:uuid:") {
		t.Fatalf("serial %q is not a UUID URN: %v", serial, err)
	}
	if u.Version() != 5 || u.Variant() != uuid.RFC4122 {
		t.Errorf("serial %q is version %d variant %v, want a name-based version 5 UUID", serial, u.Version(), u.Variant())
	}
}
