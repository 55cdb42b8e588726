package publish

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/internal/outpath"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// fakeEngine records what it was asked to load.
type fakeEngine struct {
	root ocispec.Descriptor
	tags []string
	held bool
}

// Load answers with an image ID of its own, after checking that the
// layout is read under a lease (gc finds it in use).
func (e *fakeEngine) Load(ctx context.Context, store *layout.Layout, root ocispec.Descriptor, tags []string) (string, error) {
	e.root, e.tags = root, tags
	_, err := store.GC(ctx, layout.GCOptions{DryRun: true})
	e.held = err != nil
	return "sha256:engine-id", nil
}

// Publish prints the reference of the furthest destination: the pushed
// one, else the engine's image ID, else the layout's; --image-refs gets
// the same line.
func TestPublishPrintsWhereTheImageWent(t *testing.T) {
	host := newRegistry(t)
	tests := []struct {
		name       string
		push, load bool
		want       func(res builder.Result) string
	}{
		{"layout only", false, false, func(res builder.Result) string { return layout.FormatRef(res.LayoutDir, "latest") }},
		{"load", false, true, func(builder.Result) string { return "sha256:engine-id" }},
		{"push", true, false, func(res builder.Result) string { return host + "/team/svc@" + res.Root.Digest.String() }},
		{"push and load", true, true, func(res builder.Result) string { return host + "/team/svc@" + res.Root.Digest.String() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, req := newFake(t)
			req.Repo = host + "/team"
			res := run(t, f, req)
			var stdout bytes.Buffer
			refsFile := filepath.Join(t.TempDir(), "refs")
			files := Files{}
			targets, err := files.Rules.Check(outpath.Output{Setting: "--image-refs", Path: refsFile, Kind: outpath.File})
			if err != nil {
				t.Fatal(err)
			}
			files.ImageRefs = &targets[0]
			d := Destinations{Files: files, Stdout: &stdout, Name: mustName(t, "krust.local/svc")}
			if tt.push {
				d.Push = remote.New(remote.Options{})
			}
			eng := &fakeEngine{}
			if tt.load {
				d.Engine = eng
			}
			ref, err := Publish(context.Background(), res, d)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want(res)
			written, _ := os.ReadFile(refsFile)
			if ref != want || stdout.String() != want+"\n" || string(written) != want+"\n" {
				t.Errorf("reference %q, stdout %q, --image-refs %q; want %q", ref, stdout.String(), written, want)
			}
			if tt.load && (eng.root.Digest != res.Root.Digest || !slices.Equal(eng.tags, []string{"krust.local/svc:latest"}) || !eng.held) {
				t.Errorf("engine loaded %s tagged %v (lease held: %v), want %s tagged krust.local/svc:latest under the lease", eng.root.Digest, eng.tags, eng.held, res.Root.Digest)
			}
		})
	}
}

func mustName(t *testing.T, s string) reference.Named {
	t.Helper()
	n, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
