package sbom

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/docker-krust/docker-krust/cargo"
)

// propertyPrefix names our CycloneDX properties ("cdx:" is CycloneDX's).
const propertyPrefix = "docker-krust:"

// encodeCycloneDX writes m as a CycloneDX 1.6 JSON document.
func encodeCycloneDX(m *model) ([]byte, error) {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.SerialNumber = cycloneDXSerial(m.image.name, m.image.digest)
	root := cdxCrate(m, m.root)
	bom.Metadata = &cdx.Metadata{
		Timestamp:  m.created,
		Lifecycles: &[]cdx.Lifecycle{{Phase: cdx.LifecyclePhaseBuild}},
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: m.toolName, Version: m.toolVersion,
		}}},
		Component: &root,
	}
	components := cdxComponents(m)
	bom.Components = &components
	deps := cdxDependencies(m)
	bom.Dependencies = &deps
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return nil, fmt.Errorf("write the CycloneDX document of %s: %w", m.image.digest, err)
	}
	return buf.Bytes(), nil
}

// cdxComponents are the image, its base, the toolchain and every crate
// but the root (metadata.component), sorted by bom-ref.
func cdxComponents(m *model) []cdx.Component {
	comps := []cdx.Component{cdxImage(m.image, m.platform), cdxToolchain(m.toolchain)}
	if m.base != nil {
		comps = append(comps, cdxImage(*m.base, ""))
	}
	for i := range m.crates {
		if !m.crates[i].root {
			comps = append(comps, cdxCrate(m, &m.crates[i]))
		}
	}
	slices.SortFunc(comps, func(a, b cdx.Component) int { return cmp.Compare(a.BOMRef, b.BOMRef) })
	return comps
}

// cdxImage is the image (with its platform) or its base.
func cdxImage(img imageModel, platform string) cdx.Component {
	c := cdx.Component{
		BOMRef:      img.ref,
		Type:        cdx.ComponentTypeContainer,
		Name:        img.name,
		Version:     img.digest.String(),
		Description: img.comment,
		Hashes:      &[]cdx.Hash{{Algorithm: cdxAlgorithm(img.digest.Algorithm().String()), Value: img.digest.Encoded()}},
		PackageURL:  img.purl,
	}
	if platform != "" {
		c.Properties = &[]cdx.Property{{Name: propertyPrefix + "platform", Value: platform}}
	}
	return c
}

// cdxAlgorithm is a digest algorithm's CycloneDX name: sha256 is SHA-256.
func cdxAlgorithm(alg string) cdx.HashAlgorithm {
	up := strings.ToUpper(alg)
	if rest, ok := strings.CutPrefix(up, "SHA"); ok {
		return cdx.HashAlgorithm("SHA-" + rest)
	}
	return cdx.HashAlgorithm(up)
}

// cdxToolchain is the Rust toolchain: a build-time component, "excluded"
// in CycloneDX's terms, as the compiler is not in the image.
func cdxToolchain(t toolchainModel) cdx.Component {
	props := []cdx.Property{{Name: propertyPrefix + "rustc", Value: t.rustc}}
	if t.cargo != "" {
		props = append(props, cdx.Property{Name: propertyPrefix + "cargo", Value: t.cargo})
	}
	if t.host != "" {
		props = append(props, cdx.Property{Name: propertyPrefix + "host", Value: t.host})
	}
	sortProperties(props)
	return cdx.Component{
		BOMRef:      toolchainRef,
		Type:        cdx.ComponentTypeApplication,
		Name:        "rustc",
		Version:     t.version,
		Description: "The Rust toolchain that compiled the binary; the Rust standard library it ships (std, core, alloc) is linked into it.",
		Scope:       cdx.ScopeExcluded,
		Properties:  &props,
	}
}

// cdxCrate is one crate; the root is the application.
func cdxCrate(m *model, c *crateModel) cdx.Component {
	comp := cdx.Component{
		BOMRef:      c.ref,
		Type:        cdx.ComponentTypeLibrary,
		Name:        c.Name,
		Version:     c.Version,
		Description: c.Description,
		Scope:       cdx.ScopeRequired,
		Licenses:    cdxLicenses(c.license),
		PackageURL:  c.purl,
	}
	if c.root {
		comp.Type = cdx.ComponentTypeApplication
		comp.Scope = ""
	}
	if c.Checksum != "" {
		comp.Hashes = &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: c.Checksum}}
	}
	if refs := cdxReferences(c); len(refs) > 0 {
		comp.ExternalReferences = &refs
	}
	props := cdxCrateProperties(m, c)
	comp.Properties = &props
	return comp
}

// cdxLicenses is Cargo.toml's license: an SPDX expression when it is one,
// else its text as a license name; nil when there is none.
func cdxLicenses(l license) *cdx.Licenses {
	declared := cdx.LicenseAcknowledgementDeclared
	switch {
	case l.expression != "":
		return &cdx.Licenses{{Expression: l.expression, Acknowledgement: &declared}}
	case l.declared != "":
		return &cdx.Licenses{{License: &cdx.License{Name: l.declared, Acknowledgement: declared}}}
	}
	return nil
}

// cdxReferences are where the crate came from (the .crate file, the git
// repository) and its Cargo.toml's homepage and repository, sorted.
func cdxReferences(c *crateModel) []cdx.ExternalReference {
	var refs []cdx.ExternalReference
	switch {
	case c.Source.IsCratesIO():
		refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeDistribution, URL: c.download, Comment: "the .crate file cargo downloads"})
	case c.Source.Kind == cargo.SourceGit:
		refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeVCS, URL: c.download, Comment: "the git repository and commit cargo built from"})
	}
	if u := webURL(c.Homepage); u != "" {
		refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeWebsite, URL: u, Comment: "Cargo.toml homepage"})
	}
	if u := webURL(c.Repository); u != "" {
		refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeVCS, URL: u, Comment: "Cargo.toml repository"})
	}
	slices.SortFunc(refs, func(a, b cdx.ExternalReference) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.URL, b.URL), cmp.Compare(a.Comment, b.Comment))
	})
	return refs
}

// cdxCrateProperties: where cargo took the crate from, its features, its
// license file, and for the root its binary.
func cdxCrateProperties(m *model, c *crateModel) []cdx.Property {
	p := func(name, value string) cdx.Property { return cdx.Property{Name: propertyPrefix + name, Value: value} }
	props := []cdx.Property{p("cargo:source", string(c.Source.Kind))}
	switch c.Source.Kind {
	case cargo.SourceRegistry:
		props = append(props, p("cargo:registry", c.url))
	case cargo.SourceGit:
		props = append(props, p("cargo:git-url", c.url))
		if c.Source.Rev != "" {
			props = append(props, p("cargo:git-rev", c.Source.Rev))
		}
		if c.Source.Ref != "" {
			props = append(props, p("cargo:git-ref", c.Source.Ref))
		}
	case cargo.SourcePath:
		props = append(props, p("cargo:path", c.Source.Path))
	}
	if len(c.Features) > 0 {
		props = append(props, p("cargo:features", strings.Join(c.Features, ",")))
	}
	if c.LicenseFile != "" {
		props = append(props, p("cargo:license-file", c.LicenseFile))
	}
	if c.root {
		for _, bin := range m.paths {
			props = append(props, p("binary", bin))
		}
	}
	sortProperties(props)
	return props
}

// sortProperties sorts properties by name, then value.
func sortProperties(props []cdx.Property) {
	slices.SortFunc(props, func(a, b cdx.Property) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Value, b.Value))
	})
}

// cdxDependencies: each crate's direct dependencies, and the image's: the
// root crate (its binary) and the base. Sorted by ref.
func cdxDependencies(m *model) []cdx.Dependency {
	imageDeps := []string{m.root.ref}
	if m.base != nil {
		imageDeps = append(imageDeps, m.base.ref)
	}
	slices.Sort(imageDeps)
	deps := []cdx.Dependency{{Ref: m.image.ref, Dependencies: &imageDeps}}
	for _, c := range m.crates {
		d := cdx.Dependency{Ref: c.ref}
		if len(c.deps) > 0 {
			refs := slices.Clone(c.deps)
			d.Dependencies = &refs
		}
		deps = append(deps, d)
	}
	slices.SortFunc(deps, func(a, b cdx.Dependency) int { return cmp.Compare(a.Ref, b.Ref) })
	return deps
}
