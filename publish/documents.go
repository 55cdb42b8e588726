package publish

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/internal/outpath"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxDocumentBytes bounds an SBOM or provenance document read back from
// the layout for --sbom-dir: the SBOM of a binary of a thousand crates is
// about a megabyte.
const maxDocumentBytes = 64 << 20

// writeDocuments writes the documents the build attached to its images
// (SBOM, provenance) into --sbom-dir, read from store; with several
// platforms each file is named after its platform too
// (BIN-linux-arm64.spdx.json). Each file is written whole (see
// outpath.Target.Write); when one fails, the files and directories this
// run created are removed again.
func writeDocuments(ctx context.Context, files Files, store *layout.Layout, res builder.Result) (err error) {
	dir := files.SBOMDir
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
	several := len(platformsOf(res.Referrers)) > 1
	for _, r := range res.Referrers {
		name := r.FileName
		if several {
			name = PlatformFileName(name, r.Platform)
		}
		data, err := oci.ReadBlob(ctx, store, r.Document, maxDocumentBytes)
		if err != nil {
			return fmt.Errorf("--sbom-dir: read %s from %s: %w", name, res.LayoutDir, err)
		}
		// Checked again: with --platform all, the names were not known
		// before the build.
		targets, err := files.Rules.Check(append([]outpath.Output{dir.Join(name)}, files.Others()...)...)
		if err != nil {
			return err
		}
		if targets[0].New() {
			created = append(created, targets[0].Real)
		}
		if err := targets[0].WriteFile(ctx, files.Write, data); err != nil {
			return err
		}
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

// PlatformFileName puts the platform into a document's file name, after
// the binary's name, which holds no dot: app.spdx.json for linux/arm/v7
// becomes app-linux-arm-v7.spdx.json.
func PlatformFileName(name string, p ocispec.Platform) string {
	bin, ext, _ := strings.Cut(name, ".")
	return bin + "-" + strings.ReplaceAll(oci.PlatformString(p), "/", "-") + "." + ext
}
