package remote

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"github.com/docker-krust/docker-krust/layout"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// subjectImage is an image (or index) with the referrers of each of its
// subjects.
type subjectImage struct {
	desc      ocispec.Descriptor
	subjects  []ocispec.Descriptor
	bySubject map[digest.Digest][]ocispec.Descriptor
	// setup are the referrers among subjects, pushed first.
	setup []ocispec.Descriptor
}

func (s subjectImage) referrers() []ocispec.Descriptor {
	var out []ocispec.Descriptor
	for _, subject := range s.subjects {
		out = append(out, s.bySubject[subject.Digest]...)
	}
	return out
}

// newSubjectImage writes n referrers, whose content names round, for
// each of subjects.
func newSubjectImage(t *testing.T, store *layout.Layout, desc ocispec.Descriptor, subjects []ocispec.Descriptor, round string, n int) subjectImage {
	s := subjectImage{desc: desc, subjects: subjects, bySubject: map[digest.Digest][]ocispec.Descriptor{}}
	for _, subject := range subjects {
		s.bySubject[subject.Digest] = manyReferrers(t, store, subject, round, n)
	}
	return s
}

// TestPushWritesEachReferrersIndexOnce pushes to distribution 2.8, which
// has no referrers API, through a proxy that counts requests: each
// subject's sha256-<hex> index is written once per push, whatever the
// number of its referrers; a later push with more referrers writes it
// once more, keeping what it listed (a signature oras attach added); a
// push that adds nothing writes nothing. oras discover finds them all.
func TestPushWritesEachReferrersIndexOnce(t *testing.T) {
	orasCmd := requireTool(t, "oras", "CI installs it: go install oras.land/oras/cmd/oras@v1.3.6")
	tests := []struct {
		name string
		// write writes the image and n referrers per subject, whose
		// content says round.
		write func(t *testing.T, store *layout.Layout, round string, n int) subjectImage
	}{
		{"one image with 20 referrers", func(t *testing.T, store *layout.Layout, round string, n int) subjectImage {
			img := writeImage(t, store, linuxAmd64, "app")
			return newSubjectImage(t, store, img.manifest, []ocispec.Descriptor{img.manifest}, round, n)
		}},
		{"an index whose two images have 20 referrers each", func(t *testing.T, store *layout.Layout, round string, n int) subjectImage {
			idx := writeIndex(t, store, "app")
			return newSubjectImage(t, store, idx.index, []ocispec.Descriptor{idx.amd64.manifest, idx.arm64.manifest}, round, n)
		}},
		{"an image with 20 referrers, the first with 20 of its own", func(t *testing.T, store *layout.Layout, round string, n int) subjectImage {
			img := writeImage(t, store, linuxAmd64, "app")
			s := newSubjectImage(t, store, img.manifest, []ocispec.Descriptor{img.manifest}, round, n)
			// A referrer of the image, with referrers of its own.
			signed := manyReferrers(t, store, img.manifest, "signed", 1)[0]
			s.bySubject[img.manifest.Digest] = append(s.bySubject[img.manifest.Digest], signed)
			s.subjects, s.setup = append(s.subjects, signed), []ocispec.Descriptor{signed}
			s.bySubject[signed.Digest] = manyReferrers(t, store, signed, round, n)
			return s
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			reg := testregistry.Start(t, testregistry.Options{NoDelete: true})
			proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
			host := strings.TrimPrefix(proxy.URL(), "http://")
			store := newStore(t)
			c := New(Options{})
			target := mustNamed(t, host+"/team/app")
			first := tt.write(t, store, "first", 20)
			if _, err := c.Push(ctx, store, first.desc, target, PushOptions{Tags: []string{"v1"}, Referrers: first.setup}); err != nil {
				t.Fatal(err)
			}
			// Another tool's referrer, in the index before ours.
			attached := map[digest.Digest]string{}
			for _, subject := range first.subjects {
				attached[subject.Digest] = orasAttach(t, orasCmd, host+"/team/app@"+subject.Digest.String())
			}
			second := tt.write(t, store, "second", 5)
			// The same image: write wrote it again, with other referrers.
			if second.desc.Digest != first.desc.Digest {
				t.Fatal("the test wrote two images")
			}
			all := uniqueDigests(append(first.referrers(), second.referrers()...))
			pushes := []struct {
				name string
				refs []ocispec.Descriptor
				puts int // of each subject's index
			}{
				{"the first push", first.referrers(), 1},
				{"a push with 5 more referrers per subject", all, 1},
				{"the same push again", all, 0},
			}
			for _, p := range pushes {
				before := len(proxy.Requests())
				res, err := c.Push(ctx, store, first.desc, target, PushOptions{Tags: []string{"v1"}, Referrers: p.refs})
				if err != nil || res.Referrers != len(p.refs) {
					t.Fatalf("%s: %+v, %v", p.name, res, err)
				}
				reqs := requestsSince(proxy, before)
				for _, subject := range first.subjects {
					tag := referrersTag(subject)
					if n := countIn(reqs, http.MethodPut, "/manifests/"+tag); n != p.puts {
						t.Errorf("%s: %d PUTs of %s, want %d", p.name, n, tag, p.puts)
					}
					ofSubject := digests(append(slices.Clone(first.bySubject[subject.Digest]), second.bySubject[subject.Digest]...))
					want := []string{attached[subject.Digest]}
					for _, d := range digests(p.refs) {
						if slices.Contains(ofSubject, d) {
							want = append(want, d)
						}
					}
					slices.Sort(want)
					if got := orasDiscover(t, orasCmd, host+"/team/app@"+subject.Digest.String()); !slices.Equal(got, want) {
						t.Errorf("%s: oras discover lists %d referrers of %s, want the %d pushed and the one oras attached", p.name, len(got), ShortDigest(subject.Digest), len(want)-1)
					}
				}
			}
		})
	}
}

// manyReferrers writes n referrers of subject, SBOMs and provenance by
// turns, whose content names round.
func manyReferrers(t testing.TB, store *layout.Layout, subject ocispec.Descriptor, round string, n int) []ocispec.Descriptor {
	t.Helper()
	out := make([]ocispec.Descriptor, n)
	for i := range out {
		typ := []string{spdxType, provenanceType}[i%2]
		out[i] = writeReferrer(t, store, subject, typ, fmt.Sprintf("%s %d of %s", round, i, subject.Digest))
	}
	return out
}

// orasAttach attaches a signature to ref with the oras CLI, by the
// referrers tag schema, and returns its digest.
func orasAttach(t *testing.T, orasCmd, ref string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sig.json"), []byte(`{"signed":"`+ref+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	before := orasDiscover(t, orasCmd, ref)
	cmd := []string{"attach", "--plain-http", "--artifact-type", "application/vnd.example.sig", ref, "sig.json:application/json"}
	runToolIn(t, dir, orasCmd, cmd...)
	for _, d := range orasDiscover(t, orasCmd, ref) {
		if !slices.Contains(before, d) {
			return d
		}
	}
	t.Fatalf("oras attach %s left no new referrer", ref)
	return ""
}

// runToolIn runs a command in dir, failing the test if it fails.
func runToolIn(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// TestPushUploadsSharedReferrerBlobsOnce: eight referrers share the
// empty config; it is uploaded once, and each other blob once.
func TestPushUploadsSharedReferrerBlobsOnce(t *testing.T) {
	reg := testregistry.Start(t, testregistry.Options{})
	proxy := testregistry.StartProxy(t, reg.URL(), "", nil)
	host := strings.TrimPrefix(proxy.URL(), "http://")
	store := newStore(t)
	img := writeImage(t, store, linuxAmd64, "app")
	refs := manyReferrers(t, store, img.manifest, "shared", 8)
	var done []string
	c := New(Options{Progress: func(e Event) {
		if e.Kind == BlobDone {
			done = append(done, e.Blob.Digest.String())
		}
	}})
	res, err := c.Push(context.Background(), store, img.manifest, mustNamed(t, host+"/app"), PushOptions{Referrers: refs})
	if err != nil {
		t.Fatal(err)
	}
	const empty = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
	blobs := len(img.blobs()) + 1 + len(refs) // the image's, the empty config, a document each
	if n := proxy.Count(http.MethodPost, "/blobs/uploads/"); n != blobs {
		t.Errorf("%d uploads started, want %d: one per blob", n, blobs)
	}
	if n := countOf(done, empty); n != 1 {
		t.Errorf("the empty config was reported uploaded %d times, want once (%+v)", n, res)
	}
}

func countOf(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}
