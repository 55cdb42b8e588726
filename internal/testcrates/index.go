package testcrates

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// indexEntry is one line of a registry index: a version of a crate.
type indexEntry struct {
	Name      string              `json:"name"`
	Vers      string              `json:"vers"`
	Deps      []indexDep          `json:"deps"`
	Cksum     string              `json:"cksum"`
	Features  map[string][]string `json:"features"`
	Features2 map[string][]string `json:"features2,omitempty"`
	Yanked    bool                `json:"yanked"`
	Links     *string             `json:"links"`
	V         int                 `json:"v,omitempty"`
}

// indexDep is a dependency in an index entry; Name is the name the crate
// uses, Package the crate's own when it renames it.
type indexDep struct {
	Name            string   `json:"name"`
	Req             string   `json:"req"`
	Features        []string `json:"features"`
	Optional        bool     `json:"optional"`
	DefaultFeatures bool     `json:"default_features"`
	Target          *string  `json:"target"`
	Kind            string   `json:"kind"`
	Package         string   `json:"package,omitempty"`
}

// manifest is the part of a packaged crate's Cargo.toml an index entry
// is made of.
type manifest struct {
	Package struct {
		Name    string  `toml:"name"`
		Version string  `toml:"version"`
		Links   *string `toml:"links"`
	} `toml:"package"`
	Dependencies      map[string]any      `toml:"dependencies"`
	BuildDependencies map[string]any      `toml:"build-dependencies"`
	Features          map[string][]string `toml:"features"`
	Target            map[string]struct {
		Dependencies      map[string]any `toml:"dependencies"`
		BuildDependencies map[string]any `toml:"build-dependencies"`
	} `toml:"target"`
}

func readManifest(path string) (manifest, error) {
	var m manifest
	data, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	if err := toml.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// indexEntry is m's index line, without its checksum. Dev-dependencies
// are left out: cargo never resolves those of a registry crate.
func (m manifest) indexEntry() indexEntry {
	e := indexEntry{Name: m.Package.Name, Vers: m.Package.Version, Links: m.Package.Links,
		Features: map[string][]string{}, Deps: []indexDep{}}
	for name, values := range m.Features {
		// Features of the newer syntax (dep:x, x?/y) go where cargo
		// looks for them in an index entry of version 2.
		if all := strings.Join(values, " "); strings.Contains(all, "dep:") || strings.Contains(all, "?/") {
			if e.Features2 == nil {
				e.Features2, e.V = map[string][]string{}, 2
			}
			e.Features2[name] = values
			continue
		}
		e.Features[name] = values
	}
	e.Deps = append(e.Deps, indexDeps(m.Dependencies, "normal", nil)...)
	e.Deps = append(e.Deps, indexDeps(m.BuildDependencies, "build", nil)...)
	for target, t := range m.Target {
		e.Deps = append(e.Deps, indexDeps(t.Dependencies, "normal", &target)...)
		e.Deps = append(e.Deps, indexDeps(t.BuildDependencies, "build", &target)...)
	}
	return e
}

// indexDeps are the index's form of a [dependencies] table.
func indexDeps(table map[string]any, kind string, target *string) []indexDep {
	names := make([]string, 0, len(table))
	for name := range table {
		names = append(names, name)
	}
	sort.Strings(names)
	var deps []indexDep
	for _, name := range names {
		d := indexDep{Name: name, Req: "*", Features: []string{}, DefaultFeatures: true, Target: target, Kind: kind}
		switch v := table[name].(type) {
		case string:
			d.Req = v
		case map[string]any:
			if s, ok := v["version"].(string); ok {
				d.Req = s
			}
			d.Optional, _ = v["optional"].(bool)
			for _, key := range []string{"default-features", "default_features"} {
				if b, ok := v[key].(bool); ok {
					d.DefaultFeatures = b
				}
			}
			d.Package, _ = v["package"].(string)
			if fs, ok := v["features"].([]any); ok {
				for _, f := range fs {
					if s, ok := f.(string); ok {
						d.Features = append(d.Features, s)
					}
				}
			}
		}
		deps = append(deps, d)
	}
	return deps
}
