package cargo

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// message is the part of one of cargo's JSON messages that we read.
type message struct {
	Reason       string  `json:"reason"`
	PackageID    string  `json:"package_id"`
	ManifestPath string  `json:"manifest_path"`
	Target       Target  `json:"target"`
	Executable   *string `json:"executable"`
	Success      *bool   `json:"success"`
	// LinkedLibs are what a build script asked to link
	// (build-script-executed).
	LinkedLibs []string `json:"linked_libs"`
}

// BuiltPackage is a package cargo compiled (or found fresh) in a build,
// as its compiler-artifact messages name it.
type BuiltPackage struct {
	// ID is cargo's package ID.
	ID string
	// ManifestPath is the Cargo.toml cargo read the package from: for a
	// registry or git package, in the sources cargo unpacked or vendored.
	ManifestPath string
}

// buildMessages is what krust takes from a build's JSON messages.
type buildMessages struct {
	executables []Executable
	packages    []BuiltPackage
	// links are the native libraries build scripts asked for.
	links []nativeLink
}

// Executable is an executable cargo reported building.
type Executable struct {
	// Name is the binary target's name.
	Name string
	// Path is the executable's path.
	Path string
}

// Executables reads cargo's --message-format=json stream and returns each
// executable built for a binary target, in the order cargo reported them.
// Lines that are not JSON objects are ignored, as cargo's own tools do.
func Executables(r io.Reader) ([]Executable, error) {
	m, err := readMessages(r, nil)
	return m.executables, err
}

// readMessages reads cargo's --message-format=json stream: each
// executable built for a binary target, in the order cargo reported them,
// and each package it compiled or found fresh, once, in the order of its
// first artifact. onExecutable, when set, is called with each executable
// as it is read, while cargo goes on building.
func readMessages(r io.Reader, onExecutable func(Executable)) (buildMessages, error) {
	out := buildMessages{executables: []Executable{}}
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var m message
		if err := json.Unmarshal(line, &m); err != nil {
			return buildMessages{}, fmt.Errorf("read cargo's JSON messages: %w", err)
		}
		if m.Reason == "build-script-executed" {
			out.links = addNativeLink(out.links, m.PackageID, m.LinkedLibs)
		}
		if m.Reason != "compiler-artifact" {
			continue
		}
		if m.Executable != nil && slices.Contains(m.Target.Kind, "bin") {
			e := Executable{Name: m.Target.Name, Path: *m.Executable}
			out.executables = append(out.executables, e)
			if onExecutable != nil {
				onExecutable(e)
			}
		}
		if m.PackageID != "" && !seen[m.PackageID] {
			seen[m.PackageID] = true
			out.packages = append(out.packages, BuiltPackage{ID: m.PackageID, ManifestPath: m.ManifestPath})
		}
	}
	if err := sc.Err(); err != nil {
		return buildMessages{}, fmt.Errorf("read cargo's JSON messages: %w", err)
	}
	return out, nil
}

// find returns the path of bin built for triple with profile: cargo puts
// what it builds for an explicit --target under target/TRIPLE/PROFILE_DIR/.
func find(exes []Executable, bin, triple, profile string) (string, bool) {
	dir := "/" + triple + "/" + ProfileDir(profile) + "/"
	for _, e := range exes {
		if e.Name == bin && strings.Contains(filepath.ToSlash(e.Path), dir) {
			return e.Path, true
		}
	}
	return "", false
}
