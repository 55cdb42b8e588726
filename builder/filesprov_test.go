package builder

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/config"
)

// The provenance of each platform's image lists the files layer with its
// digest, named by the entries' from, never by a path of this machine.
func TestProvenanceRecordsTheFilesLayer(t *testing.T) {
	f, opts := newFake(t)
	makeTree(t, opts.Dir, assets)
	opts.Files = append(append([]config.FileSpec(nil), assetSpecs...), config.FileSpec{From: opts.Dir + "/certs", To: "/certs", Workspace: true})
	opts.SBOM = attest.None
	res, err := Run(context.Background(), f, opts)
	mustDo(t, err)
	layers, cfg := imageLayers(t, res.LayoutDir)
	store := mustOpen(t, res.LayoutDir)
	for _, l := range append(layers, imageConfigDesc(t, res.LayoutDir)) {
		if blob, err := os.ReadFile(blobPath(res.LayoutDir, l)); err != nil || bytes.Contains(blob, []byte(opts.Dir)) {
			t.Errorf("blob %s names the project's absolute path %s (%v)", l.Digest, opts.Dir, err)
		}
	}
	if len(res.Referrers) != 1 {
		t.Fatalf("%d referrers, want the provenance", len(res.Referrers))
	}
	rc, err := store.Fetch(context.Background(), res.Referrers[0].Document)
	mustDo(t, err)
	doc, err := io.ReadAll(rc)
	rc.Close()
	mustDo(t, err)
	if bytes.Contains(doc, []byte(opts.Dir)) {
		t.Errorf("the provenance names the project's absolute path %s:\n%s", opts.Dir, doc)
	}
	var st struct {
		Predicate struct {
			BuildDefinition struct {
				ResolvedDependencies []struct {
					Name        string
					Digest      map[string]string
					MediaType   string
					Annotations map[string]any
				}
			}
		}
	}
	mustDo(t, json.Unmarshal(doc, &st))
	for _, d := range st.Predicate.BuildDefinition.ResolvedDependencies {
		if d.Name != "files:static,certs/ca.crt,workspace:<local>/certs" {
			continue
		}
		if d.Digest["sha256"] != layers[0].Digest.Encoded() || d.MediaType != layers[0].MediaType || d.Annotations["diffID"] != cfg.RootFS.DiffIDs[0].String() {
			t.Errorf("files dependency %+v, want layer %s diffID %s", d, layers[0].Digest, cfg.RootFS.DiffIDs[0])
		}
		return
	}
	t.Errorf("no files dependency in the provenance:\n%s", doc)
}
