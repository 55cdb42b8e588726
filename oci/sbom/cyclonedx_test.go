package sbom

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/docker-krust/docker-krust/attest"
	"github.com/xeipuuv/gojsonschema"
)

// readCycloneDX encodes in as CycloneDX and reads it back with
// cyclonedx-go's decoder.
func readCycloneDX(t *testing.T, in Input) ([]byte, *cdx.BOM) {
	t.Helper()
	b, err := Encode(attest.CycloneDX, in)
	if err != nil {
		t.Fatalf("Encode(CycloneDX): %v", err)
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(b), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatalf("cyclonedx-go cannot read the document: %v\n%s", err, b)
	}
	return b, &bom
}

// cdxProperty is a component's property, or "".
func cdxProperty(c *cdx.Component, name string) string {
	if c.Properties == nil {
		return ""
	}
	for _, p := range *c.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// cdxCrates are the BOM's crates, the root included, by label.
func cdxCrates(t *testing.T, bom *cdx.BOM) map[string]*cdx.Component {
	t.Helper()
	crates := map[string]*cdx.Component{}
	add := func(c *cdx.Component) {
		if !strings.HasPrefix(c.BOMRef, "crate-") {
			return
		}
		label := crateLabel(c.Name, c.Version, cdxProperty(c, "docker-krust:cargo:source") == "path")
		if _, dup := crates[label]; dup {
			t.Errorf("two components are %s", label)
		}
		crates[label] = c
	}
	add(bom.Metadata.Component)
	for i := range *bom.Components {
		add(&(*bom.Components)[i])
	}
	return crates
}

func TestCycloneDXCrates(t *testing.T) {
	in := fixture()
	b, bom := readCycloneDX(t, in)
	checkNoLeaks(t, b)
	crates := cdxCrates(t, bom)
	if len(crates) != len(in.Graph.Crates) {
		t.Errorf("%d crate components, want %d", len(crates), len(in.Graph.Crates))
	}
	for _, w := range fixtureWants {
		c := crates[w.label]
		if c == nil {
			t.Errorf("no component for %s", w.label)
			continue
		}
		if c.PackageURL != w.purl {
			t.Errorf("%s: purl %q, want %q", w.label, c.PackageURL, w.purl)
		}
		var lic string
		if c.Licenses != nil && len(*c.Licenses) == 1 {
			l := (*c.Licenses)[0]
			switch {
			case l.Expression != "" && l.Acknowledgement != nil && *l.Acknowledgement == cdx.LicenseAcknowledgementDeclared:
				lic = l.Expression
			case l.License != nil && l.License.Acknowledgement == cdx.LicenseAcknowledgementDeclared:
				lic = "name: " + l.License.Name
			}
		}
		if lic != w.cdxLicense {
			t.Errorf("%s: license %q, want %q", w.label, lic, w.cdxLicense)
		}
		var hashes []string
		if c.Hashes != nil {
			for _, h := range *c.Hashes {
				hashes = append(hashes, string(h.Algorithm)+":"+h.Value)
			}
		}
		if want := []string{"SHA-256:" + w.checksum}; w.checksum == "" && len(hashes) != 0 || w.checksum != "" && !slices.Equal(hashes, want) {
			t.Errorf("%s: hashes %v, want %q", w.label, hashes, w.checksum)
		}
	}
	git := crates["my_crate@1.0.0+build.5"]
	if git != nil && (cdxProperty(git, "docker-krust:cargo:git-rev") != "4f1b5c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c" ||
		cdxProperty(git, "docker-krust:cargo:git-url") != "https://git.example.com/team/my_crate.git") {
		t.Errorf("my_crate: properties %+v", git.Properties)
	}
	if p := crates["util@0.1.0 (path)"]; p != nil && cdxProperty(p, "docker-krust:cargo:path") != "crates/util" {
		t.Errorf("util: properties %+v", p.Properties)
	}
	if s := crates["serde_json@1.0.87"]; s != nil && cdxProperty(s, "docker-krust:cargo:features") != "default,std" {
		t.Errorf("serde_json: properties %+v", s.Properties)
	}
}

func TestCycloneDXMetadataAndDependencies(t *testing.T) {
	in := fixture()
	_, bom := readCycloneDX(t, in)
	if bom.SpecVersion != cdx.SpecVersion1_6 || bom.BOMFormat != "CycloneDX" || bom.Version != 1 {
		t.Errorf("specVersion %v, bomFormat %q, version %d", bom.SpecVersion, bom.BOMFormat, bom.Version)
	}
	if want := cycloneDXSerial(in.Image.Name, in.Image.Digest); bom.SerialNumber != want {
		t.Errorf("serialNumber %q, want %q (from the image digest)", bom.SerialNumber, want)
	}
	md := bom.Metadata
	if md.Timestamp != "2026-05-01T10:30:45Z" {
		t.Errorf("timestamp %q", md.Timestamp)
	}
	if md.Tools == nil || md.Tools.Components == nil || len(*md.Tools.Components) != 1 ||
		(*md.Tools.Components)[0].Name != "docker-krust" || (*md.Tools.Components)[0].Version != "0.13.0" {
		t.Errorf("tools %+v", md.Tools)
	}
	root := md.Component
	if root == nil || root.Name != "hello" || root.Type != cdx.ComponentTypeApplication || cdxProperty(root, "docker-krust:binary") != "/app/hello" {
		t.Fatalf("metadata.component %+v, want the root crate", root)
	}
	comps := map[string]*cdx.Component{}
	for i := range *bom.Components {
		comps[(*bom.Components)[i].BOMRef] = &(*bom.Components)[i]
	}
	img, base, rustc := comps["image"], comps["base-image"], comps["toolchain-rustc"]
	if img == nil || img.Type != cdx.ComponentTypeContainer || img.Version != imageDigest.String() ||
		cdxProperty(img, "docker-krust:platform") != "linux/arm/v7" ||
		img.PackageURL != "pkg:oci/hello@"+imageDigest.String()+"?arch=arm&repository_url=127.0.0.1:5000%2Fteam%2Fhello" {
		t.Errorf("image %+v", img)
	}
	if base == nil || base.Type != cdx.ComponentTypeContainer || base.Version != baseDigest.String() ||
		base.PackageURL != "pkg:oci/static@"+baseDigest.String()+"?arch=arm&repository_url=gcr.io%2Fdistroless%2Fstatic&tag=nonroot" {
		t.Errorf("base %+v", base)
	}
	if rustc == nil || rustc.Version != "1.95.0" || rustc.Scope != cdx.ScopeExcluded ||
		cdxProperty(rustc, "docker-krust:rustc") != in.Toolchain.Rustc || cdxProperty(rustc, "docker-krust:cargo") != in.Toolchain.Cargo {
		t.Errorf("toolchain %+v", rustc)
	}

	labels := map[string]string{}
	for label, c := range cdxCrates(t, bom) {
		labels[c.BOMRef] = label
	}
	var edges []string
	deps := map[string][]string{}
	for _, d := range *bom.Dependencies {
		var on []string
		if d.Dependencies != nil {
			on = *d.Dependencies
		}
		deps[d.Ref] = on
		if _, ok := labels[d.Ref]; ok {
			for _, o := range on {
				edges = append(edges, labels[d.Ref]+" -> "+labels[o])
			}
		}
	}
	slices.Sort(edges)
	if want := wantEdges(in.Graph); !slices.Equal(edges, want) {
		t.Errorf("dependencies:\n got %q\nwant %q", edges, want)
	}
	if got, want := deps["image"], []string{"base-image", root.BOMRef}; !slices.Equal(got, want) {
		t.Errorf("the image depends on %q, want %q", got, want)
	}
}

// bom-refs are unique and every dependency's ref resolves.
func TestCycloneDXRefsResolve(t *testing.T) {
	for name, in := range map[string]Input{"fixture": fixture(), "minimal on scratch": minimal()} {
		t.Run(name, func(t *testing.T) {
			_, bom := readCycloneDX(t, in)
			refs := map[string]bool{bom.Metadata.Component.BOMRef: true}
			for _, c := range *bom.Components {
				if c.BOMRef == "" || refs[c.BOMRef] {
					t.Errorf("bom-ref %q is empty or used twice", c.BOMRef)
				}
				refs[c.BOMRef] = true
			}
			for _, d := range *bom.Dependencies {
				on := []string{d.Ref}
				if d.Dependencies != nil {
					on = append(on, *d.Dependencies...)
				}
				for _, r := range on {
					if !refs[r] {
						t.Errorf("dependency ref %q resolves to no component", r)
					}
				}
			}
		})
	}
}

// The document is valid against the CycloneDX 1.6 JSON schema that
// cyclonedx-go ships and validates its own output with.
func TestCycloneDXSchema(t *testing.T) {
	schema := cycloneDXSchema(t)
	for name, in := range map[string]Input{"fixture": fixture(), "minimal on scratch": minimal()} {
		t.Run(name, func(t *testing.T) {
			b, err := Encode(attest.CycloneDX, in)
			if err != nil {
				t.Fatal(err)
			}
			res, err := schema.Validate(gojsonschema.NewBytesLoader(b))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range res.Errors() {
				t.Errorf("schema: %s", e)
			}
			// The schema is live: a component type it does not know fails.
			bad := bytes.Replace(b, []byte(`"type": "application"`), []byte(`"type": "crate"`), 1)
			if res, err := schema.Validate(gojsonschema.NewBytesLoader(bad)); err != nil || res.Valid() {
				t.Errorf("the schema takes a component of type crate (%v)", err)
			}
		})
	}
}

// cycloneDXSchema compiles bom-1.6.schema.json from the cyclonedx-go
// module this package is built with, with the two schemas it refers to
// loaded under their IDs, so that nothing is fetched.
func cycloneDXSchema(t *testing.T) *gojsonschema.Schema {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/CycloneDX/cyclonedx-go").Output()
	if err != nil {
		t.Fatalf("go list the cyclonedx-go module: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "schema")
	file := func(name string) gojsonschema.JSONLoader {
		return gojsonschema.NewReferenceLoader("file://" + filepath.ToSlash(filepath.Join(dir, name)))
	}
	sl := gojsonschema.NewSchemaLoader()
	for id, name := range map[string]string{
		"http://cyclonedx.org/schema/spdx.schema.json":     "spdx.schema.json",
		"http://cyclonedx.org/schema/jsf-0.82.schema.json": "jsf-0.82.schemax.json",
	} {
		if err := sl.AddSchema(id, file(name)); err != nil {
			t.Fatalf("load %s: %v", name, err)
		}
	}
	schema, err := sl.Compile(file("bom-1.6.schema.json"))
	if err != nil {
		t.Fatalf("compile the CycloneDX 1.6 schema: %v", err)
	}
	return schema
}
