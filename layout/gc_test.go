package layout

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/oci"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// graph writes manifests, indexes and referrers into a layout for tests.
type graph struct {
	t *testing.T
	l *Layout
}

func (g graph) blob(mediaType, content string) ocispec.Descriptor {
	g.t.Helper()
	desc, err := g.l.WriteBlob(context.Background(), mediaType, []byte(content))
	if err != nil {
		g.t.Fatal(err)
	}
	return desc
}

func (g graph) json(mediaType string, v any) ocispec.Descriptor {
	g.t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		g.t.Fatal(err)
	}
	return g.blob(mediaType, string(data))
}

// image writes a config and a manifest over layers; name makes it unique.
func (g graph) image(name string, subject *ocispec.Descriptor, annotations map[string]string, layers ...ocispec.Descriptor) (manifest, config ocispec.Descriptor) {
	g.t.Helper()
	config = g.blob(ocispec.MediaTypeImageConfig, `{"architecture":"amd64","os":"linux","config":{"Labels":{"n":"`+name+`"}}}`)
	m := oci.NewManifest(config, layers, annotations)
	m.Subject = subject
	return g.json(ocispec.MediaTypeImageManifest, m), config
}

// referrer writes an untagged artifact manifest whose subject is subject.
func (g graph) referrer(artifactType string, subject, config ocispec.Descriptor, layers ...ocispec.Descriptor) ocispec.Descriptor {
	g.t.Helper()
	m := oci.NewManifest(config, layers, nil)
	m.ArtifactType, m.Subject = artifactType, &subject
	return g.json(ocispec.MediaTypeImageManifest, m)
}

func (g graph) index(manifests ...ocispec.Descriptor) ocispec.Descriptor {
	g.t.Helper()
	return g.json(ocispec.MediaTypeImageIndex, oci.NewIndex(manifests, nil))
}

func (g graph) tag(desc ocispec.Descriptor, tag string) {
	g.t.Helper()
	if err := g.l.Tag(context.Background(), desc, tag); err != nil {
		g.t.Fatal(err)
	}
}

func (g graph) present(d ocispec.Descriptor) bool {
	_, err := os.Lstat(filepath.Join(g.l.Dir(), "blobs", "sha256", d.Digest.Encoded()))
	return err == nil
}

func layer(g graph, content string) ocispec.Descriptor {
	return g.blob(ocispec.MediaTypeImageLayerGzip, "\x1f\x8b"+content)
}

// gcFixture is a layout with a known graph: what GC must keep and what it
// must remove.
type gcFixture struct {
	g            graph
	keep, remove []ocispec.Descriptor
	others       []string // files in blobs/sha256 that are not blobs
}

func newGCFixture(t *testing.T) gcFixture {
	g := graph{t: t, l: newLayout(t)}
	shared, own := layer(g, "shared"), layer(g, "own")
	base, baseCfg := g.image("base", nil, nil, shared)
	empty := g.blob(ocispec.MediaTypeEmptyJSON, `{}`)
	// An image the tag app named before a rebuild: it, its config, layer
	// and SBOM go.
	oldLayer := layer(g, "old")
	old, oldCfg := g.image("old", nil, nil, shared, oldLayer)
	oldSbomBlob := g.blob("application/spdx+json", `{"spdxVersion":"SPDX-2.3","name":"old"}`)
	oldSbom := g.referrer("application/spdx+json", old, empty, oldSbomBlob)
	g.record(Update{Desc: old, Tags: []string{"app"}, Referrers: []ocispec.Descriptor{oldSbom}})
	app, appCfg := g.image("app", nil, map[string]string{ocispec.AnnotationBaseImageDigest: base.Digest.String()}, shared, own)
	sbomBlob := g.blob("application/spdx+json", `{"spdxVersion":"SPDX-2.3"}`)
	sbom := g.referrer("application/spdx+json", app, empty, sbomBlob)
	g.record(Update{Desc: app, Tags: []string{"app"}, Referrers: []ocispec.Descriptor{sbom}})
	// A signature of the SBOM, added later: a referrer of a referrer.
	sig := g.referrer("application/vnd.example.sig", sbom, empty, empty)
	g.record(Update{Referrers: []ocispec.Descriptor{sig}})
	amd, amdCfg := g.image("amd64", nil, nil, shared)
	armLayer := layer(g, "arm")
	arm, armCfg := g.image("arm64", nil, nil, armLayer)
	multi := g.index(amd, arm)
	armSbom := g.referrer("application/spdx+json", arm, empty, empty)
	g.record(Update{Desc: multi, Tags: []string{"multi"}, Referrers: []ocispec.Descriptor{armSbom}})
	// A referrer of the tagged image that index.json does not list, as a
	// tool that writes blobs only would leave it: no reader of the layout
	// finds it, so it goes although its subject stays.
	unlistedBlob := g.blob("application/spdx+json", `{"spdxVersion":"SPDX-2.3","name":"unlisted"}`)
	unlisted := g.referrer("application/spdx+json", app, empty, unlistedBlob)
	stray := g.blob("application/octet-stream", "stray")
	blobs := filepath.Join(g.l.Dir(), "blobs", "sha256")
	writeFile(t, filepath.Join(blobs, "notes.txt"), "not a blob")
	if err := os.Mkdir(filepath.Join(blobs, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := digest.FromString("link").Encoded()
	if err := os.Symlink(filepath.Join(blobs, stray.Digest.Encoded()), filepath.Join(blobs, link)); err != nil {
		t.Fatal(err)
	}
	return gcFixture{
		g: g,
		keep: []ocispec.Descriptor{shared, own, base, baseCfg, app, appCfg, amd, amdCfg, arm, armCfg, armLayer, multi,
			sbomBlob, empty, sbom, sig, armSbom},
		remove: []ocispec.Descriptor{oldLayer, old, oldCfg, oldSbomBlob, oldSbom, unlisted, unlistedBlob, stray},
		others: []string{"notes.txt", "sub", link},
	}
}

// record applies u to the layout.
func (g graph) record(u Update) {
	g.t.Helper()
	if err := g.l.Apply(context.Background(), u); err != nil {
		g.t.Fatalf("Apply(%v): %v", u.Tags, err)
	}
}

func TestGCRemovesWhatNoTagReaches(t *testing.T) {
	for _, dryRun := range []bool{true, false} {
		f := newGCFixture(t)
		tmp := filepath.Join(f.g.l.Dir(), "blobs", "sha256", ".tmp-12345")
		writeFile(t, tmp, "half a layer")
		var reported []digest.Digest
		res, err := f.g.l.GC(context.Background(), GCOptions{DryRun: dryRun, Removed: func(d ocispec.Descriptor) {
			reported = append(reported, d.Digest)
		}})
		if err != nil {
			t.Fatalf("dry run %v: %v", dryRun, err)
		}
		var wantBytes int64
		for _, d := range f.remove {
			wantBytes += d.Size
			if !slices.Contains(reported, d.Digest) {
				t.Errorf("dry run %v: %s was not reported removed", dryRun, d.Digest)
			}
			if f.g.present(d) != dryRun {
				t.Errorf("dry run %v: unreachable blob %s present: %v", dryRun, d.Digest, f.g.present(d))
			}
		}
		if res.Removed != len(f.remove) || res.RemovedBytes != wantBytes || res.Kept != len(f.keep) || res.Temps != 1 {
			t.Errorf("dry run %v: result %+v, want %d removed (%d bytes), %d kept, 1 temp file", dryRun, res, len(f.remove), wantBytes, len(f.keep))
		}
		for _, d := range f.keep {
			if !f.g.present(d) {
				t.Errorf("dry run %v: reachable blob %s removed", dryRun, d.Digest)
			}
		}
		for _, name := range append(f.others, "../../index.json", "../../oci-layout") {
			if _, err := os.Lstat(filepath.Join(f.g.l.Dir(), "blobs", "sha256", name)); err != nil {
				t.Errorf("dry run %v: %s, which is not a blob, was removed: %v", dryRun, name, err)
			}
		}
		if _, err := os.Stat(tmp); (err == nil) != dryRun {
			t.Errorf("dry run %v: temp file present: %v", dryRun, err == nil)
		}
	}
}

func TestGCWaitsForRunningBuilds(t *testing.T) {
	f := newGCFixture(t)
	lease, err := f.g.l.Lease(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.g.l.GC(context.Background(), GCOptions{}); !errors.Is(err, ErrInUse) {
		t.Errorf("GC while a build holds the layout: %v, want ErrInUse", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := f.g.l.GC(ctx, GCOptions{Wait: true}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("GC --wait while a build holds the layout: %v, want it to wait until the deadline", err)
	}
	for _, d := range f.remove {
		if !f.g.present(d) {
			t.Errorf("GC removed %s while a build held the layout", d.Digest)
		}
	}
	lease.Release()
	res, err := f.g.l.GC(context.Background(), GCOptions{Wait: true})
	if err != nil || res.Removed != len(f.remove) {
		t.Errorf("GC after the build: %+v, %v; want %d removed", res, err, len(f.remove))
	}
}

func TestGCStopsAtAnUnreadableManifest(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, path string)
	}{
		{"content does not match its digest", func(t *testing.T, path string) { writeFile(t, path, "{\"schemaVersion\":2,\"mediaType\":\"x\"}") }},
		{"not JSON", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newGCFixture(t)
			target := f.keep[4] // the tagged image manifest, app
			if tt.spoil != nil {
				tt.spoil(t, filepath.Join(f.g.l.Dir(), "blobs", "sha256", target.Digest.Encoded()))
			} else {
				bad := f.g.blob(ocispec.MediaTypeImageManifest, "\x00not json")
				f.g.tag(bad, "bad")
			}
			if _, err := f.g.l.GC(context.Background(), GCOptions{}); err == nil {
				t.Fatal("GC succeeded on a layout whose tagged manifest cannot be read")
			}
			for _, d := range f.remove {
				if !f.g.present(d) {
					t.Errorf("GC removed %s although it could not tell what the layout reaches", d.Digest)
				}
			}
		})
	}
}

// TestGCNeverRemovesThroughALinkOutOfTheLayout: with blobs/ or a blobs/ALG
// linked to a directory elsewhere, gc removes nothing there, although that
// directory holds digest-named files no tag reaches. The sha512 case is a
// directory gc would list but never reads through.
func TestGCNeverRemovesThroughALinkOutOfTheLayout(t *testing.T) {
	for _, linked := range []string{"blobs", filepath.Join("blobs", "sha256"), filepath.Join("blobs", "sha512")} {
		t.Run(linked, func(t *testing.T) {
			f := newGCFixture(t)
			dir := f.g.l.Dir()
			elsewhere := filepath.Join(t.TempDir(), "elsewhere")
			if _, err := os.Stat(filepath.Join(dir, linked)); err == nil {
				// Move the real directory out and link it back in, so
				// every blob is still reachable through the link.
				if err := os.Rename(filepath.Join(dir, linked), elsewhere); err != nil {
					t.Fatal(err)
				}
			} else {
				writeFile(t, filepath.Join(elsewhere, digest.SHA512.FromString("someone's").Encoded()), "someone's")
			}
			if err := os.Symlink(elsewhere, filepath.Join(dir, linked)); err != nil {
				t.Fatal(err)
			}
			before := listDir(t, elsewhere)
			// Refusing (a link gc reads through) and skipping (a link it
			// only lists) are both safe; removing is not.
			if _, err := f.g.l.GC(context.Background(), GCOptions{}); err != nil && !errors.Is(err, ErrOutsideLayout) {
				t.Errorf("GC through %s linked out = %v, want nil or ErrOutsideLayout", linked, err)
			}
			if after := listDir(t, elsewhere); !slices.Equal(before, after) {
				t.Errorf("GC changed the directory %s links to:\nbefore %v\nafter  %v", linked, before, after)
			}
		})
	}
}
