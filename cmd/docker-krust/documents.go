package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/outpath"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxDocumentBytes bounds an SBOM or provenance document read back from
// the layout for --sbom-dir: the SBOM of a binary of a thousand crates is
// about a megabyte.
const maxDocumentBytes = 64 << 20

// writeDocuments writes the documents the build attached to its images
// (SBOM, provenance) into --sbom-dir; with several platforms each file is
// named after its platform too (BIN-linux-arm64.spdx.json). Each file is
// written whole (see outpath.Target.Write); when one fails, the files and
// directories this run created are removed again.
func writeDocuments(ctx context.Context, files *outputFiles, res builder.Result) (err error) {
	dir := files.sbomDir
	if dir == nil {
		return nil
	}
	undo, err := dir.MakeDir()
	if err != nil {
		return err
	}
	var created []string
	defer func() {
		if err != nil {
			for _, p := range created {
				_ = os.Remove(p)
			}
			undo()
		}
	}()
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
		// Checked again: with --platform all, the names were not known
		// before the build.
		targets, err := files.rules.Check(append([]outpath.Output{dir.Join(name)}, files.others()...)...)
		if err != nil {
			return err
		}
		if targets[0].New() {
			created = append(created, targets[0].Real)
		}
		if err := targets[0].WriteFile(ctx, files.write, data); err != nil {
			return err
		}
	}
	return nil
}

// checkDocuments checks --sbom-dir's settings before anything is built:
// it must have something to write.
func checkDocuments(dir string, r config.Settled) error {
	if dir != "" && r.SBOM == attest.None && r.Provenance == attest.None {
		return fmt.Errorf("--sbom-dir %s: nothing to write with --sbom none and --provenance none: drop --sbom-dir, or choose an SBOM format", outpath.Show(dir))
	}
	return nil
}

// documentNames are the names of the files --sbom-dir gets, when they are
// known before the base is read: not for --platform all.
func documentNames(bin string, r config.Settled) []string {
	if r.AllPlatforms {
		return nil
	}
	var names []string
	for _, f := range []attest.Format{r.SBOM, r.Provenance} {
		if k, ok := attest.KindOf(f); ok {
			names = append(names, k.FileName(bin))
		}
	}
	if len(r.Platforms) < 2 {
		return names
	}
	var each []string
	for _, p := range r.Platforms {
		for _, n := range names {
			each = append(each, platformFileName(n, p))
		}
	}
	return each
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
