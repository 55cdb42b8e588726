package cargo

import (
	"fmt"

	"github.com/docker-krust/docker-krust/internal/regular"
	"github.com/pelletier/go-toml/v2/unstable"
)

// MaxManifestBytes bounds the Cargo.toml of a linked crate that Graph
// reads. Real ones are a few kB; the largest on crates.io (feature lists
// of generated bindings) a few hundred. Only the [package] table is
// decoded, by go-toml's streaming parser, whose time grows with the size
// (about 2 ms per MiB), not with the square of a table's keys as a full
// decode does (0.5 s for a [features] table of 20,000 keys).
const MaxManifestBytes = 8 << 20

// manifestFields are the fields of a package's Cargo.toml that an SBOM
// lists; an absent one is "".
type manifestFields struct {
	license, licenseFile, description, homepage, repository string
	// links is the native library the package's build script links
	// (its links key); not an SBOM field, read for link errors.
	links string
}

// packageFields are the fields of m, a workspace member cargo metadata
// listed (inherited ones resolved).
func packageFields(m Package) manifestFields {
	return manifestFields{license: m.License, licenseFile: m.LicenseFile, description: m.Description,
		homepage: m.Homepage, repository: m.Repository}
}

// readManifestFields reads the fields from the Cargo.toml at path.
// resolve is false when one of them is not a plain string there (it is
// inherited from a workspace, `description.workspace = true`, or written
// in a form only cargo should be trusted to read): then only cargo can
// say what it is.
func readManifestFields(path string) (f manifestFields, resolved bool, err error) {
	data, err := regular.ReadFile(path, MaxManifestBytes)
	if err != nil {
		return manifestFields{}, false, fmt.Errorf("read the Cargo.toml of a linked crate: %w", err)
	}
	f, resolved, err = parseManifestFields(data)
	if err != nil {
		return manifestFields{}, false, fmt.Errorf("read %s: %w", path, err)
	}
	return f, resolved, nil
}

// parseManifestFields reads the fields of the [package] table of a
// Cargo.toml ([project] in old ones), expression by expression, as
// readManifestFields says.
func parseManifestFields(data []byte) (f manifestFields, resolved bool, err error) {
	fields := map[string]*string{
		"license": &f.license, "license-file": &f.licenseFile, "description": &f.description,
		"homepage": &f.homepage, "repository": &f.repository, "links": &f.links,
	}
	resolved = true
	var p unstable.Parser
	p.Reset(data)
	var table []string // the key of the table the expressions are in
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyOf(e.Key())
			if len(table) > 1 && isPackageTable(table[0]) && fields[table[1]] != nil {
				resolved = false // [package.description] workspace = true
			}
		case unstable.KeyValue:
			key := append(append([]string(nil), table...), keyOf(e.Key())...)
			if len(key) == 0 || !isPackageTable(key[0]) {
				continue
			}
			if len(key) == 1 { // package = { ... }
				resolved = false
				continue
			}
			field := fields[key[1]]
			switch {
			case field == nil:
			case len(key) == 2 && e.Value().Kind == unstable.String:
				*field = string(e.Value().Data)
			default:
				resolved = false
			}
		}
	}
	if err := p.Error(); err != nil {
		return manifestFields{}, false, err
	}
	return f, resolved, nil
}

func isPackageTable(name string) bool { return name == "package" || name == "project" }

// keyOf is the parts of a (maybe dotted) key.
func keyOf(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}
