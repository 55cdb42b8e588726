package sbom

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/github/go-spdx/v2/spdxexp/spdxlicenses"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// encodeSPDX writes m as an SPDX 2.3 JSON document.
func encodeSPDX(m *model) ([]byte, error) {
	doc := &spdx.Document{
		SPDXVersion:       spdx.Version,
		DataLicense:       spdx.DataLicense,
		SPDXIdentifier:    "DOCUMENT",
		DocumentName:      m.image.name + "@" + m.image.digest.String(),
		DocumentNamespace: spdxNamespace(m.image.name, m.image.digest),
		DocumentComment:   documentComment(m),
		CreationInfo: &spdx.CreationInfo{
			LicenseListVersion: spdxlicenses.LicenseListVersion(),
			Creators:           []common.Creator{{CreatorType: "Tool", Creator: spdxTool(m)}},
			Created:            m.created,
			CreatorComment:     "Rust toolchain: " + toolchainText(m.toolchain) + ".",
		},
		Packages:      spdxPackages(m),
		Relationships: spdxRelationships(m),
	}
	var buf bytes.Buffer
	if err := spdxjson.Write(doc, &buf, spdxjson.Indent("  "), spdxjson.EscapeHTML(false)); err != nil {
		return nil, fmt.Errorf("write the SPDX document of %s: %w", m.image.digest, err)
	}
	return buf.Bytes(), nil
}

// documentComment says what the document lists and what it does not.
func documentComment(m *model) string {
	return fmt.Sprintf("The crates cargo links into %s for %s, the image and its base. "+
		"Crates are the package's normal dependencies for the target, with the features cargo resolved; "+
		"build-dependencies, proc-macros and dev-dependencies are not linked, so not listed, "+
		"and neither are C libraries that build scripts link, which cargo does not know.",
		strings.Join(m.paths, ", "), m.platform)
}

// spdxTool is the creator tool as SPDX writes it: NAME-VERSION.
func spdxTool(m *model) string {
	if m.toolVersion == "" {
		return m.toolName
	}
	return m.toolName + "-" + m.toolVersion
}

// toolchainText is the toolchain in words.
func toolchainText(t toolchainModel) string {
	parts := []string{t.rustc}
	if t.cargo != "" {
		parts = append(parts, t.cargo)
	}
	if t.host != "" {
		parts = append(parts, "host "+t.host)
	}
	return strings.Join(parts, ", ")
}

// spdxPackages are the crates, the image, its base and the toolchain,
// sorted by SPDX ID.
func spdxPackages(m *model) []*spdx.Package {
	pkgs := []*spdx.Package{spdxImage(m.image, "CONTAINER"), spdxToolchain(m)}
	if m.base != nil {
		pkgs = append(pkgs, spdxImage(*m.base, "CONTAINER"))
	}
	for i := range m.crates {
		pkgs = append(pkgs, spdxCrate(m, &m.crates[i]))
	}
	slices.SortFunc(pkgs, func(a, b *spdx.Package) int {
		return cmp.Compare(a.PackageSPDXIdentifier, b.PackageSPDXIdentifier)
	})
	return pkgs
}

// spdxPackage is a package with what every one of ours has: nothing
// asserted about supplier, originator, copyright or the concluded license,
// and no files analysed.
func spdxPackage(id, name, version string) *spdx.Package {
	return &spdx.Package{
		PackageSPDXIdentifier:     common.ElementID(id),
		PackageName:               name,
		PackageVersion:            version,
		PackageSupplier:           &common.Supplier{Supplier: noAssertion},
		PackageOriginator:         &common.Originator{Originator: noAssertion},
		PackageDownloadLocation:   noAssertion,
		FilesAnalyzed:             false,
		IsFilesAnalyzedTagPresent: true,
		PackageLicenseConcluded:   noAssertion,
		PackageLicenseDeclared:    noAssertion,
		PackageCopyrightText:      noAssertion,
	}
}

// spdxPurl is a purl as an SPDX external reference.
func spdxPurl(purl string) []*spdx.PackageExternalReference {
	if purl == "" {
		return nil
	}
	return []*spdx.PackageExternalReference{{
		Category: common.CategoryPackageManager,
		RefType:  common.TypePackageManagerPURL,
		Locator:  purl,
	}}
}

// spdxImage is the image or its base.
func spdxImage(img imageModel, purpose string) *spdx.Package {
	p := spdxPackage(img.ref, img.name, img.digest.String())
	p.PackageChecksums = []common.Checksum{{Algorithm: spdxAlgorithm(img.digest.Algorithm().String()), Value: img.digest.Encoded()}}
	p.PackageExternalReferences = spdxPurl(img.purl)
	p.PackageComment = img.comment
	p.PrimaryPackagePurpose = purpose
	return p
}

// spdxAlgorithm is a digest algorithm's SPDX name: sha256 is SHA256.
func spdxAlgorithm(alg string) common.ChecksumAlgorithm {
	return common.ChecksumAlgorithm(strings.ToUpper(alg))
}

// spdxToolchain is the Rust toolchain, the build tool of the root.
func spdxToolchain(m *model) *spdx.Package {
	p := spdxPackage(toolchainRef, "rustc", m.toolchain.version)
	p.PackageDescription = "The Rust toolchain that compiled the binary; the Rust standard library it ships (std, core, alloc) is linked into it."
	p.PackageComment = toolchainText(m.toolchain) + "."
	p.PrimaryPackagePurpose = "APPLICATION"
	return p
}

// toolchainRef is the toolchain's identifier in both documents.
const toolchainRef = "toolchain-rustc"

// spdxCrate is one crate.
func spdxCrate(m *model, c *crateModel) *spdx.Package {
	p := spdxPackage(c.ref, c.Name, c.Version)
	p.PackageDownloadLocation = c.download
	if c.Checksum != "" {
		p.PackageChecksums = []common.Checksum{{Algorithm: common.SHA256, Value: c.Checksum}}
	}
	p.PackageHomePage = webURL(c.Homepage)
	p.PackageSourceInfo = sourceInfo(*c)
	if r := webURL(c.Repository); r != "" {
		p.PackageSourceInfo += " Its Cargo.toml's repository is " + r + "."
	}
	if c.license.expression != "" {
		p.PackageLicenseDeclared = c.license.expression
	}
	p.PackageLicenseComments = licenseComment(c)
	p.PackageDescription = c.Description
	p.PackageComment = crateComment(m, c)
	p.PackageExternalReferences = spdxPurl(c.purl)
	p.PrimaryPackagePurpose = "LIBRARY"
	if c.root {
		p.PrimaryPackagePurpose = "APPLICATION"
	}
	return p
}

// licenseComment says how licenseDeclared came from Cargo.toml, when it
// is not simply Cargo.toml's license.
func licenseComment(c *crateModel) string {
	l := c.license
	switch {
	case l.declared == "" && c.LicenseFile != "":
		return fmt.Sprintf("Cargo.toml has no license expression; its license-file is %q.", c.LicenseFile)
	case l.declared == "":
		return "Cargo.toml declares no license."
	case l.expression == "":
		return fmt.Sprintf("Cargo.toml declares license = %q, which is not an SPDX license expression.", l.declared)
	case l.expression != l.declared:
		return fmt.Sprintf("Cargo.toml declares license = %q, written here as an SPDX expression.", l.declared)
	}
	return ""
}

// crateComment holds the crate's features, and for the root its binary.
func crateComment(m *model, c *crateModel) string {
	var parts []string
	if c.root {
		parts = append(parts, "The package built: "+m.bins+" in the image.")
	}
	if len(c.Features) > 0 {
		parts = append(parts, "Features: "+strings.Join(c.Features, ", ")+".")
	}
	return strings.Join(parts, " ")
}

// spdxRelationships: the document describes the root; the image contains
// it and descends from its base; the toolchain built it; each crate
// depends on the crates it links. DESCRIBES first, the rest sorted.
func spdxRelationships(m *model) []*spdx.Relationship {
	rel := func(a, typ, b string) *spdx.Relationship {
		return &spdx.Relationship{RefA: common.MakeDocElementID("", a), RefB: common.MakeDocElementID("", b), Relationship: typ}
	}
	rels := []*spdx.Relationship{
		rel(m.image.ref, common.TypeRelationshipContains, m.root.ref),
		rel(toolchainRef, common.TypeRelationshipBuildToolOf, m.root.ref),
	}
	if m.base != nil {
		rels = append(rels, rel(m.image.ref, common.TypeRelationshipDescendantOf, m.base.ref))
	}
	for _, c := range m.crates {
		for _, d := range c.deps {
			rels = append(rels, rel(c.ref, common.TypeRelationshipDependsOn, d))
		}
	}
	slices.SortFunc(rels, func(a, b *spdx.Relationship) int {
		return cmp.Or(cmp.Compare(a.RefA.ElementRefID, b.RefA.ElementRefID),
			cmp.Compare(a.Relationship, b.Relationship),
			cmp.Compare(a.RefB.ElementRefID, b.RefB.ElementRefID))
	})
	return append([]*spdx.Relationship{rel("DOCUMENT", common.TypeRelationshipDescribe, m.root.ref)}, rels...)
}
