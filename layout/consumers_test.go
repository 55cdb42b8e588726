package layout

import (
	"encoding/json"
	"io"
	"os/exec"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestOtherToolsReadReferrersInTheLayout: with a build's referrers listed
// in index.json, oras discover --oci-layout finds them per platform, and
// skopeo and umoci still resolve the tag.
func TestOtherToolsReadReferrersInTheLayout(t *testing.T) {
	oras := requireTool(t, "oras", "go install oras.land/oras/cmd/oras@v1.3.6")
	skopeo := requireTool(t, "skopeo", "apt-get install skopeo")
	umoci := requireTool(t, "umoci", "apt-get install umoci")
	g := graph{t: t, l: newLayout(t)}
	g.apply(g.build("old"), "latest")
	b := g.build("new")
	g.apply(b, "latest")
	for i, platform := range []string{"linux/amd64", "linux/arm64"} {
		out := run(t, oras, "discover", "--oci-layout", g.l.Dir()+":latest", "--platform", platform, "--format", "json")
		var got struct {
			Referrers []ocispec.Descriptor `json:"referrers"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("oras discover output %s: %v", out, err)
		}
		if !sameDigests(got.Referrers, b.referrers[i]) {
			t.Errorf("oras discover of %s found %v, want %v", platform, digestsOf(got.Referrers), digestsOf(b.referrers[i]))
		}
		for _, r := range got.Referrers {
			if r.ArtifactType != spdxType && r.ArtifactType != provenanceType {
				t.Errorf("oras discover: %s has artifactType %q", r.Digest, r.ArtifactType)
			}
		}
	}
	raw := run(t, skopeo, "inspect", "--raw", "oci:"+g.l.Dir()+":latest")
	if string(raw) != string(readBlob(t, g.l, b.index)) {
		t.Errorf("skopeo resolves latest to %s, not the build's index", raw)
	}
	// The index is for two platforms; umoci takes an image, so tag one.
	g.tag(b.images[0], "amd64")
	run(t, umoci, "stat", "--image", g.l.Dir()+":amd64")
}

// requireTool returns the path of a tool the test needs. CI installs
// every one of them (.ci/run), so a missing one fails the test with the
// command that installs it, rather than skipping what it checks.
func requireTool(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed (%v): install it with %s", name, err, install)
	}
	return path
}

// run runs a command and returns its stdout, failing the test with its
// stderr when it fails.
func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %v: %v\n%s", name, args, err, stderr)
	}
	return out
}

func readBlob(t *testing.T, l *Layout, desc ocispec.Descriptor) []byte {
	t.Helper()
	rc, err := l.Fetch(t.Context(), desc)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
