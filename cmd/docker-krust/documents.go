package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/atomicfile"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxDocumentBytes bounds an SBOM or provenance document read back from
// the layout for --sbom-dir: the SBOM of a binary of a thousand crates is
// about a megabyte.
const maxDocumentBytes = 64 << 20

// writeDocuments writes the documents the build attached to its images
// (SBOM, provenance) into dir, for --sbom-dir; with several platforms
// each file is named after its platform too (BIN-linux-arm64.spdx.json).
func writeDocuments(ctx context.Context, dir string, res builder.Result) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--sbom-dir: %w", err)
	}
	store, err := openLayout(res.LayoutDir)
	if err != nil {
		return err
	}
	several := len(platformsOf(res.Referrers)) > 1
	for _, r := range res.Referrers {
		name := r.FileName
		if several {
			name = platformFileName(name, r.Platform)
		}
		data, err := oci.ReadBlob(ctx, store, r.Document, maxDocumentBytes)
		if err != nil {
			return fmt.Errorf("--sbom-dir: read %s from %s: %w", name, res.LayoutDir, err)
		}
		if err := atomicfile.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("--sbom-dir: %w", err)
		}
	}
	return nil
}

// checkDocumentsDir checks --sbom-dir before anything is built: it must
// have something to write, and be a directory if it exists.
func checkDocumentsDir(dir string, r config.Resolved) error {
	if dir == "" {
		return nil
	}
	if r.SBOM == config.SBOMNone && r.Provenance == config.ProvenanceNone {
		return fmt.Errorf("--sbom-dir %s: nothing to write with --sbom none and --provenance none: drop --sbom-dir, or choose an SBOM format", dir)
	}
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return fmt.Errorf("--sbom-dir %s: not a directory: name a directory (it is created if missing)", dir)
	}
	return nil
}

// platformsOf returns the distinct platforms of refs.
func platformsOf(refs []builder.Referrer) map[string]bool {
	seen := map[string]bool{}
	for _, r := range refs {
		seen[oci.PlatformString(r.Platform)] = true
	}
	return seen
}

// platformFileName puts the platform into a document's file name, after
// the binary's name, which holds no dot: app.spdx.json for linux/arm/v7
// becomes app-linux-arm-v7.spdx.json.
func platformFileName(name string, p ocispec.Platform) string {
	bin, ext, _ := strings.Cut(name, ".")
	return bin + "-" + strings.ReplaceAll(oci.PlatformString(p), "/", "-") + "." + ext
}
