package sbom

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/github/go-spdx/v2/spdxexp"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/spdxlib"
)

// readSPDX encodes in as SPDX and reads it back with tools-golang's JSON
// reader.
func readSPDX(t *testing.T, in Input) ([]byte, *spdx.Document) {
	t.Helper()
	b, err := Encode(attest.SPDX, in)
	if err != nil {
		t.Fatalf("Encode(SPDX): %v", err)
	}
	doc, err := spdxjson.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("tools-golang cannot read the document: %v\n%s", err, b)
	}
	return b, doc
}

// spdxPurlOf is a package's purl external reference, or "".
func spdxPurlOf(p *spdx.Package) string {
	for _, r := range p.PackageExternalReferences {
		if r.Category == common.CategoryPackageManager && r.RefType == common.TypePackageManagerPURL {
			return r.Locator
		}
	}
	return ""
}

// spdxCrates are the document's crate packages by label.
func spdxCrates(t *testing.T, doc *spdx.Document) map[string]*spdx.Package {
	t.Helper()
	crates := map[string]*spdx.Package{}
	for _, p := range doc.Packages {
		if !strings.HasPrefix(string(p.PackageSPDXIdentifier), "crate-") {
			continue
		}
		label := crateLabel(p.PackageName, p.PackageVersion, spdxPurlOf(p) == "" && strings.HasPrefix(p.PackageSourceInfo, "From path "))
		if _, dup := crates[label]; dup {
			t.Errorf("two packages are %s", label)
		}
		crates[label] = p
	}
	return crates
}

func TestSPDXCrates(t *testing.T) {
	in := fixture()
	b, doc := readSPDX(t, in)
	checkNoLeaks(t, b)
	crates := spdxCrates(t, doc)
	if len(crates) != len(in.Graph.Crates) {
		t.Errorf("%d crate packages, want %d", len(crates), len(in.Graph.Crates))
	}
	for _, w := range fixtureWants {
		p := crates[w.label]
		if p == nil {
			t.Errorf("no package for %s", w.label)
			continue
		}
		if got := spdxPurlOf(p); got != w.purl {
			t.Errorf("%s: purl %q, want %q", w.label, got, w.purl)
		}
		if p.PackageLicenseDeclared != w.spdxLicense || p.PackageLicenseConcluded != noAssertion {
			t.Errorf("%s: licenseDeclared %q, licenseConcluded %q; want %q, NOASSERTION",
				w.label, p.PackageLicenseDeclared, p.PackageLicenseConcluded, w.spdxLicense)
		}
		var sums []string
		for _, c := range p.PackageChecksums {
			sums = append(sums, string(c.Algorithm)+":"+c.Value)
		}
		if want := []string{"SHA256:" + w.checksum}; w.checksum == "" && len(sums) != 0 || w.checksum != "" && !slices.Equal(sums, want) {
			t.Errorf("%s: checksums %v, want %q", w.label, sums, w.checksum)
		}
		if p.PackageDownloadLocation != w.download {
			t.Errorf("%s: downloadLocation %q, want %q", w.label, p.PackageDownloadLocation, w.download)
		}
		if p.PackageSupplier == nil || p.PackageSupplier.Supplier != noAssertion || p.PackageOriginator == nil || p.PackageOriginator.Originator != noAssertion {
			t.Errorf("%s: supplier %+v, originator %+v; want NOASSERTION", w.label, p.PackageSupplier, p.PackageOriginator)
		}
	}
	if c := crates["cfg-if@1.0.0"]; c != nil && !strings.Contains(c.PackageLicenseComments, `"MIT/Apache-2.0"`) {
		t.Errorf("cfg-if: licenseComments %q does not keep Cargo.toml's license", c.PackageLicenseComments)
	}
	if c := crates["internal-auth@2.1.0"]; c != nil && !strings.Contains(c.PackageLicenseComments, `"Proprietary"`) {
		t.Errorf("internal-auth: licenseComments %q does not keep Cargo.toml's license", c.PackageLicenseComments)
	}
}

// spdxEdges are the document's relationships of type typ between crates,
// as labels.
func spdxEdges(t *testing.T, doc *spdx.Document, typ string) []string {
	t.Helper()
	labels := map[common.ElementID]string{}
	for label, p := range spdxCrates(t, doc) {
		labels[p.PackageSPDXIdentifier] = label
	}
	var edges []string
	for _, r := range doc.Relationships {
		if r.Relationship == typ {
			edges = append(edges, labels[r.RefA.ElementRefID]+" -> "+labels[r.RefB.ElementRefID])
		}
	}
	slices.Sort(edges)
	return edges
}

func TestSPDXRelationships(t *testing.T) {
	in := fixture()
	_, doc := readSPDX(t, in)
	if err := spdxlib.ValidateDocument(doc); err != nil {
		t.Errorf("spdxlib: %v", err)
	}
	if got, want := spdxEdges(t, doc, common.TypeRelationshipDependsOn), wantEdges(in.Graph); !slices.Equal(got, want) {
		t.Errorf("DEPENDS_ON:\n got %q\nwant %q", got, want)
	}
	described, err := spdxlib.GetDescribedPackageIDs(doc)
	if err != nil {
		t.Fatal(err)
	}
	root := spdxCrates(t, doc)["hello@0.1.0 (path)"]
	if len(described) != 1 || root == nil || described[0] != root.PackageSPDXIdentifier || root.PrimaryPackagePurpose != "APPLICATION" {
		t.Fatalf("the document describes %v, want the root crate hello", described)
	}
	pkgs := map[common.ElementID]*spdx.Package{}
	for _, p := range doc.Packages {
		pkgs[p.PackageSPDXIdentifier] = p
	}
	img, base, rustc := pkgs["image"], pkgs["base-image"], pkgs["toolchain-rustc"]
	if img == nil || base == nil || rustc == nil {
		t.Fatalf("no image, base or toolchain package: %v %v %v", img, base, rustc)
	}
	has := func(a common.ElementID, typ string, b common.ElementID) bool {
		return slices.ContainsFunc(doc.Relationships, func(r *spdx.Relationship) bool {
			return r.RefA.ElementRefID == a && r.Relationship == typ && r.RefB.ElementRefID == b
		})
	}
	for _, r := range []struct {
		a   common.ElementID
		typ string
		b   common.ElementID
	}{
		{"image", common.TypeRelationshipContains, root.PackageSPDXIdentifier},
		{"image", common.TypeRelationshipDescendantOf, "base-image"},
		{"toolchain-rustc", common.TypeRelationshipBuildToolOf, root.PackageSPDXIdentifier},
	} {
		if !has(r.a, r.typ, r.b) {
			t.Errorf("no relationship %s %s %s", r.a, r.typ, r.b)
		}
	}
}

func TestSPDXImageBaseToolchain(t *testing.T) {
	in := fixture()
	_, doc := readSPDX(t, in)
	if want := "https://docker-krust.dev/spdx/127.0.0.1:5000/team/hello/sha256-" + imageDigest.Encoded(); doc.DocumentNamespace != want {
		t.Errorf("documentNamespace %q, want %q", doc.DocumentNamespace, want)
	}
	ci := doc.CreationInfo
	if ci.Created != "2026-05-01T10:30:45Z" {
		t.Errorf("created %q, want Input.Created in UTC seconds", ci.Created)
	}
	if len(ci.Creators) != 1 || ci.Creators[0].CreatorType != "Tool" || ci.Creators[0].Creator != "docker-krust-0.13.0" {
		t.Errorf("creators %+v", ci.Creators)
	}
	pkgs := map[common.ElementID]*spdx.Package{}
	for _, p := range doc.Packages {
		pkgs[p.PackageSPDXIdentifier] = p
	}
	tests := []struct {
		id, name, version, purl, checksum, purpose string
	}{
		{"image", "127.0.0.1:5000/team/hello", imageDigest.String(),
			"pkg:oci/hello@" + imageDigest.String() + "?arch=arm&repository_url=127.0.0.1:5000%2Fteam%2Fhello",
			imageDigest.Encoded(), "CONTAINER"},
		{"base-image", "gcr.io/distroless/static:nonroot", baseDigest.String(),
			"pkg:oci/static@" + baseDigest.String() + "?arch=arm&repository_url=gcr.io%2Fdistroless%2Fstatic&tag=nonroot",
			baseDigest.Encoded(), "CONTAINER"},
		{"toolchain-rustc", "rustc", "1.95.0", "", "", "APPLICATION"},
	}
	for _, tt := range tests {
		p := pkgs[common.ElementID(tt.id)]
		if p == nil {
			t.Errorf("no package %s", tt.id)
			continue
		}
		if p.PackageName != tt.name || p.PackageVersion != tt.version || spdxPurlOf(p) != tt.purl || p.PrimaryPackagePurpose != tt.purpose {
			t.Errorf("%s: %q %q %q %q; want %q %q %q %q", tt.id, p.PackageName, p.PackageVersion, spdxPurlOf(p), p.PrimaryPackagePurpose,
				tt.name, tt.version, tt.purl, tt.purpose)
		}
		if tt.checksum != "" && (len(p.PackageChecksums) != 1 || p.PackageChecksums[0].Value != tt.checksum) {
			t.Errorf("%s: checksums %+v, want SHA256 %s", tt.id, p.PackageChecksums, tt.checksum)
		}
	}
	if c := pkgs["image"].PackageComment; !strings.Contains(c, "linux/arm/v7") || !strings.Contains(c, "/app/hello") {
		t.Errorf("image comment %q does not give the platform and the binary", c)
	}
	if c := pkgs["toolchain-rustc"].PackageComment; !strings.Contains(c, in.Toolchain.Rustc) || !strings.Contains(c, in.Toolchain.Cargo) {
		t.Errorf("toolchain comment %q does not give rustc's and cargo's versions", c)
	}
}

// created, SPDX IDs, license expressions, download locations and
// relationship types as SPDX 2.3 and its JSON schema allow them.
func TestSPDXIsValid(t *testing.T) {
	for name, in := range map[string]Input{"fixture": fixture(), "minimal on scratch": minimal()} {
		t.Run(name, func(t *testing.T) {
			_, doc := readSPDX(t, in)
			if doc.SPDXVersion != "SPDX-2.3" || doc.DataLicense != "CC0-1.0" || doc.SPDXIdentifier != "DOCUMENT" || doc.DocumentName == "" {
				t.Errorf("header %q %q %q %q", doc.SPDXVersion, doc.DataLicense, doc.SPDXIdentifier, doc.DocumentName)
			}
			if strings.Contains(doc.DocumentNamespace, "#") || !strings.HasPrefix(doc.DocumentNamespace, "https://") {
				t.Errorf("documentNamespace %q is not an absolute URI without #", doc.DocumentNamespace)
			}
			if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(doc.CreationInfo.Created) {
				t.Errorf("created %q is not YYYY-MM-DDThh:mm:ssZ", doc.CreationInfo.Created)
			}
			if err := spdxlib.ValidateDocument(doc); err != nil {
				t.Errorf("spdxlib: %v", err)
			}
			ids := map[common.ElementID]bool{}
			for _, p := range doc.Packages {
				checkSPDXPackage(t, p)
				if ids[p.PackageSPDXIdentifier] {
					t.Errorf("SPDX ID %s is used twice", p.PackageSPDXIdentifier)
				}
				ids[p.PackageSPDXIdentifier] = true
			}
			known := []string{common.TypeRelationshipDescribe, common.TypeRelationshipContains, common.TypeRelationshipDependsOn,
				common.TypeRelationshipDescendantOf, common.TypeRelationshipBuildToolOf}
			for _, r := range doc.Relationships {
				if !slices.Contains(known, r.Relationship) {
					t.Errorf("relationship type %q", r.Relationship)
				}
			}
		})
	}
}

// checkSPDXPackage checks one package's ID, licenses and location.
func checkSPDXPackage(t *testing.T, p *spdx.Package) {
	t.Helper()
	if !spdxIDPattern.MatchString(string(p.PackageSPDXIdentifier)) {
		t.Errorf("SPDX ID %q is not SPDXRef-[A-Za-z0-9.-]+", p.PackageSPDXIdentifier)
	}
	if p.PackageName == "" || !isSPDXDownloadLocation(p.PackageDownloadLocation) {
		t.Errorf("%s: name %q, downloadLocation %q", p.PackageSPDXIdentifier, p.PackageName, p.PackageDownloadLocation)
	}
	if !p.IsFilesAnalyzedTagPresent || p.FilesAnalyzed || p.PackageVerificationCode != nil {
		t.Errorf("%s: filesAnalyzed must be present and false, with no verification code", p.PackageSPDXIdentifier)
	}
	for _, l := range []string{p.PackageLicenseDeclared, p.PackageLicenseConcluded} {
		if l == "NONE" || l == noAssertion {
			continue
		}
		if ok, bad := spdxexp.ValidateLicensesWithOptions([]string{l},
			spdxexp.ValidateLicensesOptions{FailAllLicenseRefs: true, FailAllDocumentRefs: true}); !ok {
			t.Errorf("%s: license %q is not a valid SPDX expression: %v", p.PackageSPDXIdentifier, l, bad)
		}
	}
}
