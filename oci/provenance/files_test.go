package provenance

import (
	"bytes"
	"errors"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

// The files layer is a resolved dependency after the base, named by the
// entries' from without a path of the build machine, with the layer's
// digest, media type and diffID.
func TestEncodeFiles(t *testing.T) {
	layer, diffID := digest.FromString("files layer"), digest.FromString("files tar")
	in := fullInput()
	in.Files = &Files{
		Entries: []FilesEntry{{From: "static", To: "/srv/static"}, {From: "/home/someone/certs/ca.crt", To: "/etc/ssl/certs/ca-certificates.crt"}},
		Layer:   layer, MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", DiffID: diffID,
	}
	doc := encode(t, in)
	if bytes.Contains(doc, []byte("/home/someone")) {
		t.Errorf("the provenance names a path of the build machine:\n%s", doc)
	}
	_, p := parse(t, doc)
	deps := p.GetBuildDefinition().GetResolvedDependencies()
	if len(deps) != 6 {
		t.Fatalf("%d resolvedDependencies, want 6 with the files layer: %v", len(deps), deps)
	}
	d := deps[3]
	if d.GetName() != "files:static,<local>/ca.crt" || d.GetDigest()["sha256"] != layer.Encoded() || d.GetMediaType() != in.Files.MediaType {
		t.Errorf("files dependency %v", d)
	}
	checkStruct(t, "files annotations", d.GetAnnotations(), map[string]any{
		"entries": []any{"static -> /srv/static", "<local>/ca.crt -> /etc/ssl/certs/ca-certificates.crt"},
		"diffID":  diffID.String(),
	})
	in.Files.Layer = "sha256:short"
	if _, err := Encode(in); !errors.Is(err, errInput) {
		t.Errorf("a bad layer digest gave %v", err)
	}
}
