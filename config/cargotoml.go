package config

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// cargoKeys is [package.metadata.krust] or [workspace.metadata.krust].
type cargoKeys struct {
	ImageKeys
	BaseImage string   `toml:"base-image"`
	CargoArgs []string `toml:"cargo-args"`
	// Files are read only from Cargo.toml: their paths are the project's.
	Files []FileSpec `toml:"files"`
}

// knownCargoKeys lists the keys of cargoKeys, for unknown-key warnings.
func knownCargoKeys() []string {
	return []string{"annotations", "args", "base-image", "bin", "bins", "cargo", "cargo-args", "compression", "entrypoint", "env", "files", "labels",
		"libc", "platforms", "ports", "profile", "provenance", "sbom", "tags", "user", "workdir"}
}

type cargoManifest struct {
	Package struct {
		Metadata struct {
			Krust *cargoKeys `toml:"krust"`
		} `toml:"metadata"`
	} `toml:"package"`
	Workspace struct {
		Metadata struct {
			Krust *cargoKeys `toml:"krust"`
		} `toml:"metadata"`
	} `toml:"workspace"`
}

// CargoSettings reads [package.metadata.krust] from the package's
// Cargo.toml and [workspace.metadata.krust] from the workspace root's (the
// same file for a single-package project). Unknown keys are reported to
// warn; a malformed table is an error naming the file and line.
func CargoSettings(packageManifest, workspaceManifest string, warn io.Writer) (pkg, ws Settings, err error) {
	pm, err := readCargoManifest(packageManifest, warn)
	if err != nil {
		return Settings{}, Settings{}, err
	}
	wm := pm
	if workspaceManifest != packageManifest {
		if wm, err = readCargoManifest(workspaceManifest, warn); err != nil {
			return Settings{}, Settings{}, err
		}
	}
	if pkg, err = pm.Package.Metadata.Krust.settings(packageManifest + " [package.metadata.krust]"); err != nil {
		return Settings{}, Settings{}, err
	}
	ws, err = wm.Workspace.Metadata.Krust.settings(workspaceManifest + " [workspace.metadata.krust]")
	for i := range ws.Files {
		ws.Files[i].Workspace = true
	}
	return pkg, ws, err
}

func (k *cargoKeys) settings(source string) (Settings, error) {
	if k == nil {
		return Settings{}, nil
	}
	s, err := k.ImageKeys.settings(source)
	s.BaseImage, s.CargoArgs, s.Files = k.BaseImage, k.CargoArgs, k.Files
	return s, err
}

func readCargoManifest(path string, warn io.Writer) (*cargoManifest, error) {
	data, err := readTOML(path, path, "keep Cargo.toml smaller, e.g. move other tools' large [package.metadata] tables into files of their own")
	if err != nil {
		return nil, err
	}
	var m cargoManifest
	if err := decodeCargoManifest(data, &m, path); err != nil {
		return nil, err
	}
	if m.Package.Metadata.Krust == nil && m.Workspace.Metadata.Krust == nil {
		return &m, nil // no krust table, so no unknown keys in one: parse once
	}
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err == nil {
		for _, table := range []string{"package", "workspace"} {
			for _, key := range unknownKeys(raw, table) {
				fmt.Fprintf(warn, "warning: %s: unknown key %q in [%s.metadata.krust] ignored\n", path, key, table)
			}
		}
	}
	return &m, nil
}

// unknownKeys lists the keys of [TABLE.metadata.krust] that are not ours.
func unknownKeys(raw map[string]any, table string) []string {
	t, _ := raw[table].(map[string]any)
	meta, _ := t["metadata"].(map[string]any)
	krust, _ := meta["krust"].(map[string]any)
	var unknown []string
	for key := range krust {
		if !contains(knownCargoKeys(), key) {
			unknown = append(unknown, key)
		}
	}
	files, _ := krust["files"].([]any)
	for i, f := range files {
		entry, _ := f.(map[string]any)
		for key := range entry {
			if key != "from" && key != "to" {
				unknown = append(unknown, fmt.Sprintf("files[%d].%s", i, key))
			}
		}
	}
	sort.Strings(unknown)
	return unknown
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// positioned prefixes a TOML decoding error with its line and column.
func positioned(err error) error {
	var decodeErr *toml.DecodeError
	if errors.As(err, &decodeErr) {
		row, col := decodeErr.Position()
		return fmt.Errorf("line %d, column %d: %s", row, col, strings.TrimPrefix(decodeErr.Error(), "toml: "))
	}
	return err
}
