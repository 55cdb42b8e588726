package main

import (
	"fmt"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/outpath"
	"github.com/docker-krust/docker-krust/publish"
)

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
			each = append(each, publish.PlatformFileName(n, p))
		}
	}
	return each
}
