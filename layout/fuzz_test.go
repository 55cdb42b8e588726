package layout

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// fuzzBlobs are stored in the fuzzed layout so that index entries can name
// blobs that exist.
var fuzzBlobs = [][]byte{
	{},
	[]byte("{}"),
	[]byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}`),
}

// FuzzIndex puts arbitrary bytes in index.json and checks that reading the
// layout never panics, never touches anything outside it, only serves blobs
// for well-formed digests, and only serves content that matches.
func FuzzIndex(f *testing.F) {
	manifest := descFor(ocispec.MediaTypeImageManifest, fuzzBlobs[2])
	entry := func(d digest.Digest, size int64, ref string) string {
		s := fmt.Sprintf(`{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":%q,"size":%d`, d, size)
		if ref != "" {
			s += fmt.Sprintf(`,"annotations":{"org.opencontainers.image.ref.name":%q}`, ref)
		}
		return s + "}"
	}
	index := func(entries ...string) []byte {
		return []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[` +
			strings.Join(entries, ",") + `]}`)
	}
	f.Add(index(entry(manifest.Digest, manifest.Size, "latest")))
	f.Add(index(entry(manifest.Digest, manifest.Size, "v1"), entry(digest.FromBytes(nil), 0, "latest")))
	f.Add(index(entry(manifest.Digest, manifest.Size-1, "latest")))
	f.Add(index(entry("sha256:../../../etc/passwd", 1, "latest")))
	f.Add(index(entry("sha256/../../oci-layout", 1, "latest")))
	f.Add(index(entry(digest.Digest("sha512:"+strings.Repeat("0", 128)), 1, "latest")))
	f.Add(index(entry(manifest.Digest, -1, "latest")))
	f.Add([]byte(`{"schemaVersion":2,"manifests":null}`))
	f.Add([]byte(`{"schemaVersion":1}`))
	f.Add([]byte(`not json`))
	f.Add([]byte{})

	root := f.TempDir()
	dir := filepath.Join(root, "layout")
	for name, content := range map[string]string{
		filepath.Join(dir, layoutFile): `{"imageLayoutVersion":"1.0.0"}`,
		filepath.Join(dir, indexFile):  string(index()),
		filepath.Join(root, "outside"): "must stay as it is",
	} {
		fuzzWriteFile(f, name, content)
	}
	for _, b := range fuzzBlobs {
		fuzzWriteFile(f, filepath.Join(dir, blobsDir, "sha256", digest.FromBytes(b).Encoded()), string(b))
	}
	l, err := Open(dir)
	if err != nil {
		f.Fatalf("Open: %v", err)
	}
	ctx := context.Background()

	// Index must refuse a document over MaxIndexBytes and accept one of exactly that size.
	for _, size := range []int{MaxIndexBytes, MaxIndexBytes + 1} {
		doc := index()
		doc = append(doc, bytes.Repeat([]byte(" "), size-len(doc))...)
		fuzzWriteFile(f, filepath.Join(dir, indexFile), string(doc))
		_, err := l.Index(ctx)
		if size > MaxIndexBytes && !errors.Is(err, ErrTooLarge) {
			f.Fatalf("Index of a %d-byte index.json: %v, want ErrTooLarge", size, err)
		}
		if size <= MaxIndexBytes && err != nil {
			f.Fatalf("Index of a %d-byte index.json: %v", size, err)
		}
	}
	before := snapshot(f, root)

	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, indexFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if after := snapshot(t, root); after != before {
				t.Fatalf("the directory tree changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		}()

		_, openErr := Open(dir)
		idx, err := l.Index(ctx)
		if (openErr == nil) != (err == nil) {
			t.Fatalf("Open error %v but Index error %v", openErr, err)
		}
		if len(data) > MaxIndexBytes && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Index of %d bytes: %v, want ErrTooLarge", len(data), err)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidLayout) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Index error %v wraps neither ErrInvalidLayout nor ErrTooLarge", err)
			}
			if _, rerr := l.Resolve(ctx, "latest"); rerr == nil {
				t.Fatalf("Resolve succeeded on an index Index refuses (%v)", err)
			}
		} else {
			if idx.SchemaVersion != 2 || idx.Manifests == nil {
				t.Fatalf("Index = %+v: wrong schema version or nil manifests", idx)
			}
			for _, d := range idx.Manifests {
				if d.Digest.Validate() != nil || d.Size < 0 {
					t.Fatalf("Index returned the invalid descriptor %+v", d)
				}
				got, err := l.Resolve(ctx, d.Digest.String())
				if err != nil || got.Digest != d.Digest {
					t.Fatalf("Resolve(%s) = %v, %v", d.Digest, got.Digest, err)
				}
				checkFetch(t, l, d)
			}
			checkResolveLatest(t, l, idx)
		}

		// Fetch must refuse every descriptor with a malformed digest, even
		// when the index is never validated.
		var raw struct {
			Manifests []ocispec.Descriptor `json:"manifests"`
		}
		if json.Unmarshal(data, &raw) == nil {
			for _, d := range raw.Manifests {
				checkFetch(t, l, d)
			}
		}
	})
}

// checkFetch fetches d and checks that a malformed descriptor is refused
// and that whatever is read in full matches d.
func checkFetch(t *testing.T, l *Layout, d ocispec.Descriptor) {
	t.Helper()
	ctx := context.Background()
	valid := d.Digest.Validate() == nil && d.Size >= 0
	rc, err := l.Fetch(ctx, d)
	if err != nil {
		if valid && !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("Fetch(%+v): %v", d, err)
		}
		if _, err := l.Exists(ctx, d); !valid && err == nil {
			t.Fatalf("Exists accepted the invalid descriptor %+v", d)
		}
		return
	}
	defer rc.Close()
	if !valid {
		t.Fatalf("Fetch accepted the invalid descriptor %+v", d)
	}
	content, err := io.ReadAll(rc)
	if err != nil {
		if !errors.Is(err, ErrDigestMismatch) {
			t.Fatalf("read %+v: %v, want ErrDigestMismatch", d, err)
		}
		return
	}
	if int64(len(content)) != d.Size || d.Digest.Algorithm().FromBytes(content) != d.Digest {
		t.Fatalf("Fetch(%+v) served %d bytes with digest %s", d, len(content), d.Digest.Algorithm().FromBytes(content))
	}
	if ok, err := l.Exists(ctx, d); !ok || err != nil {
		t.Fatalf("Exists(%+v) = %v, %v after a verified Fetch", d, ok, err)
	}
}

// checkResolveLatest checks that Resolve("latest") returns the last entry
// tagged latest, or ErrNotFound when there is none.
func checkResolveLatest(t *testing.T, l *Layout, idx ocispec.Index) {
	t.Helper()
	var want *ocispec.Descriptor
	for i := range idx.Manifests {
		if idx.Manifests[i].Annotations[ocispec.AnnotationRefName] == "latest" {
			want = &idx.Manifests[i]
		}
	}
	got, err := l.Resolve(context.Background(), "latest")
	switch {
	case want == nil && err == nil:
		t.Fatalf("Resolve(latest) = %+v, but no entry is tagged latest", got)
	case want != nil && err != nil:
		t.Fatalf("Resolve(latest): %v", err)
	case want != nil && (got.Digest != want.Digest || got.Size != want.Size || got.MediaType != want.MediaType):
		t.Fatalf("Resolve(latest) = %+v, want %+v", got, *want)
	}
}

// snapshot lists every path under root with its size, except the size of
// the fuzzed index.json.
func snapshot(t testing.TB, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		size := info.Size()
		if e.Name() == indexFile || e.IsDir() {
			size = 0
		}
		fmt.Fprintf(&b, "%s %v %d\n", rel, info.Mode(), size)
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return b.String()
}

// fuzzWriteFile writes a file, creating parent directories.
func fuzzWriteFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
