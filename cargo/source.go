package cargo

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// cratesIOSparse is crates.io's sparse index, which cargo names CratesIO
// in package IDs and Cargo.lock; a source string may still spell it.
const cratesIOSparse = "https://index.crates.io/"

// parseSource reads the source of a package: source is its source string
// as Cargo.lock (and cargo metadata) write it, "" for a path package;
// manifest its Cargo.toml and root the workspace root, to which a path
// package's directory is made relative.
func parseSource(source, manifest, root string) (Source, error) {
	kind, rest, _ := strings.Cut(source, "+")
	switch {
	case source == "":
		return pathSource(manifest, root)
	case kind == "registry" || kind == "sparse":
		return Source{Kind: SourceRegistry, URL: registryURL(rest)}, nil
	case kind == "git":
		return gitSource(rest)
	}
	return Source{}, fmt.Errorf("source %q of %s is of a kind krust does not know (registry+, sparse+, git+ or a path)", source, manifest)
}

// registryURL is the index URL of a registry source, crates.io's sparse
// index spelt as cargo names crates.io.
func registryURL(u string) string {
	if strings.TrimSuffix(u, "/") == strings.TrimSuffix(cratesIOSparse, "/") {
		return CratesIO
	}
	return u
}

// gitSource reads "URL?branch=main#REV": what Cargo.toml asked for is the
// query (url-encoded by cargo, decoded here), the commit the fragment.
func gitSource(s string) (Source, error) {
	rest, rev, _ := strings.Cut(s, "#")
	repo, query, _ := strings.Cut(rest, "?")
	if repo == "" {
		return Source{}, fmt.Errorf("git source %q has no URL", s)
	}
	src := Source{Kind: SourceGit, URL: repo, Rev: rev, Ref: query}
	if values, err := url.ParseQuery(query); err == nil && len(values) == 1 {
		for key, v := range values {
			if len(v) == 1 {
				src.Ref = key + "=" + v[0]
			}
		}
	}
	return src, nil
}

// pathSource is a path package's directory relative to the workspace
// root, slash-separated.
func pathSource(manifest, root string) (Source, error) {
	if manifest == "" || root == "" {
		return Source{}, fmt.Errorf("path package without a manifest path (%q) or workspace root (%q) ", manifest, root)
	}
	rel, err := filepath.Rel(root, filepath.Dir(manifest))
	if err != nil {
		return Source{}, fmt.Errorf("path package %s: %w", manifest, err)
	}
	return Source{Kind: SourcePath, Path: filepath.ToSlash(rel)}, nil
}
