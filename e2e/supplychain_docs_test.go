package e2e

import (
	"bytes"
	"cmp"
	"maps"
	"slices"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	slsa "github.com/in-toto/attestation/go/predicates/provenance/v1"
	attestation "github.com/in-toto/attestation/go/v1"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"google.golang.org/protobuf/encoding/protojson"
)

// sbomCrate is one crate as an SBOM lists it, in either format.
type sbomCrate struct {
	version, license, purl, sha256 string
}

// sbomView is what the tests check in an SBOM, read by its format's own
// library: the same checks then hold for SPDX and CycloneDX.
type sbomView struct {
	root    string               // name of the package the document describes
	crates  map[string]sbomCrate // the root and the libraries, by name
	names   []string             // every package or component in the document
	deps    []string             // "a -> b" between crates, sorted
	image   string               // the image's digest, from its checksum
	imgURL  string               // the image's purl
	rustc   string               // the toolchain's version
	created string               // when the document says it was made
}

// readSPDX parses an SPDX 2.3 JSON document with spdx/tools-golang.
func readSPDX(t *testing.T, data []byte) sbomView {
	t.Helper()
	doc, err := spdxjson.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("spdx/tools-golang cannot read the SBOM: %v", err)
	}
	if doc.SPDXVersion != "SPDX-2.3" {
		t.Errorf("spdxVersion %q, want SPDX-2.3", doc.SPDXVersion)
	}
	v := sbomView{crates: map[string]sbomCrate{}}
	if doc.CreationInfo != nil {
		v.created = doc.CreationInfo.Created
	}
	names := map[common.ElementID]string{}
	isCrate := map[common.ElementID]bool{}
	root, tool := common.ElementID(""), common.ElementID("")
	for _, r := range doc.Relationships {
		switch r.Relationship {
		case common.TypeRelationshipDescribe:
			root = r.RefB.ElementRefID
		case common.TypeRelationshipBuildToolOf:
			tool = r.RefA.ElementRefID
		}
	}
	for _, p := range doc.Packages {
		v.names = append(v.names, p.PackageName)
		names[p.PackageSPDXIdentifier] = p.PackageName
		c := sbomCrate{version: p.PackageVersion, license: p.PackageLicenseDeclared}
		for _, ref := range p.PackageExternalReferences {
			if ref.RefType == common.TypePackageManagerPURL {
				c.purl = ref.Locator
			}
		}
		for _, sum := range p.PackageChecksums {
			if sum.Algorithm == common.SHA256 {
				c.sha256 = sum.Value
			}
		}
		switch {
		case p.PackageSPDXIdentifier == root:
			v.root = p.PackageName
			v.crates[p.PackageName] = c
			isCrate[root] = true
		case p.PackageSPDXIdentifier == tool:
			v.rustc = p.PackageVersion
		case p.PrimaryPackagePurpose == "CONTAINER":
			v.image, v.imgURL = "sha256:"+c.sha256, c.purl
		case p.PrimaryPackagePurpose == "LIBRARY":
			v.crates[p.PackageName] = c
			isCrate[p.PackageSPDXIdentifier] = true
		}
	}
	for _, r := range doc.Relationships {
		a, b := r.RefA.ElementRefID, r.RefB.ElementRefID
		for _, id := range []common.ElementID{a, b} {
			if _, known := names[id]; !known && id != "DOCUMENT" {
				t.Errorf("relationship %s %s %s names %s, which the document does not have", a, r.Relationship, b, id)
			}
		}
		if r.Relationship == common.TypeRelationshipDependsOn && isCrate[a] && isCrate[b] {
			v.deps = append(v.deps, names[a]+" -> "+names[b])
		}
	}
	slices.Sort(v.deps)
	return v
}

// readCycloneDX parses a CycloneDX JSON BOM with cyclonedx-go.
func readCycloneDX(t *testing.T, data []byte) sbomView {
	t.Helper()
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatalf("cyclonedx-go cannot decode the SBOM: %v", err)
	}
	if bom.SpecVersion != cdx.SpecVersion1_6 || bom.BOMFormat != cdx.BOMFormat {
		t.Errorf("bomFormat %q specVersion %v, want CycloneDX 1.6", bom.BOMFormat, bom.SpecVersion)
	}
	v := sbomView{crates: map[string]sbomCrate{}}
	names := map[string]string{}
	isCrate := map[string]bool{}
	add := func(c cdx.Component) sbomCrate {
		v.names = append(v.names, c.Name)
		names[c.BOMRef] = c.Name
		out := sbomCrate{version: c.Version, purl: c.PackageURL}
		if c.Licenses != nil && len(*c.Licenses) == 1 {
			out.license = (*c.Licenses)[0].Expression
		}
		if c.Hashes != nil {
			for _, hash := range *c.Hashes {
				if hash.Algorithm == cdx.HashAlgoSHA256 {
					out.sha256 = hash.Value
				}
			}
		}
		return out
	}
	if bom.Metadata == nil || bom.Metadata.Component == nil {
		t.Fatal("the BOM's metadata names no component: the package built is not described")
	}
	v.created = bom.Metadata.Timestamp
	v.root = bom.Metadata.Component.Name
	v.crates[v.root] = add(*bom.Metadata.Component)
	isCrate[bom.Metadata.Component.BOMRef] = true
	for _, c := range *bom.Components {
		got := add(c)
		switch c.Type {
		case cdx.ComponentTypeLibrary:
			v.crates[c.Name] = got
			isCrate[c.BOMRef] = true
		case cdx.ComponentTypeContainer:
			v.image, v.imgURL = "sha256:"+got.sha256, got.purl
		case cdx.ComponentTypeApplication:
			v.rustc = got.version
		}
	}
	if bom.Dependencies != nil {
		for _, d := range *bom.Dependencies {
			if d.Dependencies == nil || !isCrate[d.Ref] {
				continue
			}
			for _, on := range *d.Dependencies {
				if _, known := names[on]; !known {
					t.Errorf("dependency of %s on %q, which no component has as bom-ref", d.Ref, on)
				}
				if isCrate[on] {
					v.deps = append(v.deps, names[d.Ref]+" -> "+names[on])
				}
			}
		}
	}
	slices.Sort(v.deps)
	return v
}

// sbomWant is what an SBOM of crates-krust must say.
type sbomWant struct {
	project string // the project built, for Cargo.lock and the Cargo.toml files
	arch    string // amd64 or arm64
	image   string // the platform's image manifest digest
	rustc   string // `rustc --version` of the toolchain that built it
	created string // RFC 3339; "" for the fixed time the layer has without SOURCE_DATE_EPOCH
}

// checkSBOM checks an SBOM against crates-krust's linked crates.
func checkSBOM(t *testing.T, v sbomView, want sbomWant) {
	t.Helper()
	crates := linkedCrates(want.arch)
	if got, exp := slices.Sorted(maps.Keys(v.crates)), slices.Sorted(maps.Keys(crates)); !slices.Equal(got, exp) {
		t.Errorf("SBOM lists crates %v, want exactly the linked %v", got, exp)
	}
	for _, name := range notLinked {
		if slices.Contains(v.names, name) {
			t.Errorf("SBOM lists %s, which is not linked into the binary", name)
		}
	}
	if v.root != "crates-krust" {
		t.Errorf("SBOM describes %q, want the package built, crates-krust", v.root)
	}
	sums := lockChecksums(t, want.project)
	var deps []string
	for name, w := range crates {
		for _, d := range w.deps {
			deps = append(deps, name+" -> "+d)
		}
		got, ok := v.crates[name]
		if !ok {
			continue
		}
		if fromToml := cargoTomlLicense(t, want.project, name, w.version, w.path); w.license != fromToml {
			t.Fatalf("test table: %s's Cargo.toml has license %q, the table %q", name, fromToml, w.license)
		}
		exp := sbomCrate{version: w.version, license: w.license}
		if !w.path {
			exp.purl = "pkg:cargo/" + name + "@" + w.version
			if exp.sha256 = sums[name]; exp.sha256 == "" {
				t.Fatalf("test fixture: Cargo.lock has no checksum for %s", name)
			}
		}
		if got != exp {
			t.Errorf("SBOM has %s as %+v, want %+v (Cargo.toml's license, Cargo.lock's checksum)", name, got, exp)
		}
	}
	slices.Sort(deps)
	if !slices.Equal(v.deps, deps) {
		t.Errorf("SBOM dependencies\n  %s\nwant\n  %s", strings.Join(v.deps, "\n  "), strings.Join(deps, "\n  "))
	}
	if v.image != want.image || !strings.HasPrefix(v.imgURL, "pkg:oci/crates-krust@"+want.image+"?") || !strings.Contains(v.imgURL, "arch="+want.arch) {
		t.Errorf("SBOM's image is %s (%s), want %s for %s", v.image, v.imgURL, want.image, want.arch)
	}
	if created := cmp.Or(want.created, "1970-01-01T00:00:00Z"); v.created != created {
		t.Errorf("SBOM created %q, want %s", v.created, created)
	}
	if fields := strings.Fields(want.rustc); len(fields) < 2 || v.rustc != fields[1] {
		t.Errorf("SBOM's toolchain is rustc %q, want that of %q", v.rustc, want.rustc)
	}
}

// provenanceWant is what crates-krust's provenance must say.
type provenanceWant struct {
	image    string // subject: the platform's image manifest digest
	platform string
	lockSHA  string // sha256 of the project's Cargo.lock
	rustc    string // `rustc --version`
}

// readProvenance parses an in-toto statement with the in-toto
// attestation bindings, and its predicate with their SLSA v1 bindings.
func readProvenance(t *testing.T, data []byte) (*attestation.Statement, *slsa.Provenance) {
	t.Helper()
	var st attestation.Statement
	if err := protojson.Unmarshal(data, &st); err != nil {
		t.Fatalf("the in-toto bindings cannot read the provenance: %v", err)
	}
	raw, err := protojson.Marshal(st.GetPredicate())
	if err != nil {
		t.Fatal(err)
	}
	var pred slsa.Provenance
	if err := protojson.Unmarshal(raw, &pred); err != nil {
		t.Fatalf("the SLSA bindings cannot read the predicate: %v", err)
	}
	return &st, &pred
}

// checkProvenance checks crates-krust's in-toto statement and its SLSA
// v1 predicate.
func checkProvenance(t *testing.T, data []byte, want provenanceWant) {
	t.Helper()
	st, pred := readProvenance(t, data)
	if err := st.Validate(); err != nil {
		t.Errorf("in-toto statement invalid: %v", err)
	}
	if st.GetType() != "https://in-toto.io/Statement/v1" || st.GetPredicateType() != "https://slsa.dev/provenance/v1" {
		t.Errorf("statement %s with predicate %s, want in-toto v1 with SLSA provenance v1", st.GetType(), st.GetPredicateType())
	}
	if s := st.GetSubject(); len(s) != 1 || "sha256:"+s[0].GetDigest()["sha256"] != want.image {
		t.Errorf("subject %v, want the image manifest %s", s, want.image)
	}
	if err := pred.Validate(); err != nil {
		t.Errorf("SLSA provenance invalid: %v", err)
	}
	params := pred.GetBuildDefinition().GetExternalParameters().AsMap()
	if params["package"] != "crates-krust" || params["bin"] != "crates-krust" || params["platform"] != want.platform {
		t.Errorf("externalParameters %v, want package and bin crates-krust for %s", params, want.platform)
	}
	deps := map[string]*attestation.ResourceDescriptor{}
	for _, d := range pred.GetBuildDefinition().GetResolvedDependencies() {
		deps[d.GetName()] = d
	}
	if got := deps["Cargo.lock"].GetDigest()["sha256"]; got != want.lockSHA {
		t.Errorf("resolvedDependencies Cargo.lock sha256 %q, want the file's %s", got, want.lockSHA)
	}
	if got := deps["rustc"].GetAnnotations().AsMap()["version"]; got != want.rustc {
		t.Errorf("resolvedDependencies rustc version %v, want `rustc --version` %q", got, want.rustc)
	}
	if pred.GetRunDetails().GetBuilder().GetId() == "" {
		t.Error("provenance names no builder id")
	}
}

// provenanceSource returns the git commit the provenance says was built,
// and whether the checkout was dirty; found is false when it names none.
func provenanceSource(t *testing.T, data []byte) (commit string, dirty, found bool) {
	t.Helper()
	_, pred := readProvenance(t, data)
	for _, d := range pred.GetBuildDefinition().GetResolvedDependencies() {
		if c, ok := d.GetDigest()["gitCommit"]; ok {
			isDirty, _ := d.GetAnnotations().AsMap()["dirty"].(bool)
			return c, isDirty, true
		}
	}
	return "", false, false
}
