package layout

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/oci"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
)

func TestPushFetchRoundTrip(t *testing.T) {
	ctx := context.Background()
	l := newLayout(t)
	data := bytes.Repeat([]byte("layer data "), 10000)
	desc := pushBytes(t, l, data)

	rc, err := l.Fetch(ctx, desc)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Fetch content mismatch (err %v)", err)
	}
	if ok, err := l.Exists(ctx, desc); !ok || err != nil {
		t.Errorf("Exists = %v, %v", ok, err)
	}
	fi, _ := os.Stat(filepath.Join(l.Dir(), "blobs", "sha256", desc.Digest.Encoded()))
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("blob mode = %v, want 0644", fi.Mode().Perm())
	}
}

func TestPushRejectsBadContent(t *testing.T) {
	data := []byte("hello world")
	good := descFor("x", data)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		desc ocispec.Descriptor
		want error
	}{
		{"wrong digest", context.Background(), ocispec.Descriptor{Digest: digest.FromString("other"), Size: good.Size}, ErrDigestMismatch},
		{"size too big", context.Background(), ocispec.Descriptor{Digest: good.Digest, Size: good.Size + 1}, ErrDigestMismatch},
		{"size too small", context.Background(), ocispec.Descriptor{Digest: good.Digest, Size: good.Size - 1}, ErrDigestMismatch},
		{"path traversal", context.Background(), ocispec.Descriptor{Digest: "sha256:../../etc", Size: good.Size}, ErrInvalidLayout},
		{"cancelled", cancelled, good, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLayout(t)
			err := l.Push(tt.ctx, tt.desc, bytes.NewReader(data))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Push error = %v, want %v", err, tt.want)
			}
			if names := listDir(t, filepath.Join(l.Dir(), "blobs")); len(names) != 2 {
				t.Fatalf("blobs/ not empty after failed Push: %v", names)
			}
		})
	}
}

func TestPushExisting(t *testing.T) {
	l := newLayout(t)
	desc := pushBytes(t, l, []byte("once"))
	err := l.Push(context.Background(), desc, failingReader{})
	if !errors.Is(err, errdef.ErrAlreadyExists) {
		t.Fatalf("second Push = %v, want ErrAlreadyExists", err)
	}
}

// failingReader fails the test's expectations if it is ever read.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("content was read") }

func TestFetchVerifies(t *testing.T) {
	data := []byte("original content")
	tests := []struct {
		name     string
		tampered string
	}{
		{"same size", "originaX content"},
		{"longer", "original content plus more"},
		{"shorter", "original"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLayout(t)
			desc := pushBytes(t, l, data)
			path := filepath.Join(l.Dir(), "blobs", "sha256", desc.Digest.Encoded())
			if err := os.WriteFile(path, []byte(tt.tampered), 0o644); err != nil {
				t.Fatal(err)
			}
			rc, err := l.Fetch(context.Background(), desc)
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if !errors.Is(err, ErrDigestMismatch) {
				t.Fatalf("read error = %v, want ErrDigestMismatch", err)
			}
			if int64(len(got)) > desc.Size {
				t.Fatalf("read %d bytes past size %d", len(got), desc.Size)
			}
		})
	}
}

func TestFetchErrors(t *testing.T) {
	tests := []struct {
		name string
		dgst digest.Digest
		want error
	}{
		{"missing", digest.FromString("nope"), errdef.ErrNotFound},
		{"traversal", "sha256:../../etc", ErrInvalidLayout},
		{"traversal passwd", "sha256:../../../../etc/passwd", ErrInvalidLayout},
		{"unknown alg", "md5:d41d8cd98f00b204e9800998ecf8427e", ErrInvalidLayout},
	}
	l := newLayout(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desc := ocispec.Descriptor{Digest: tt.dgst, Size: 1}
			if _, err := l.Fetch(context.Background(), desc); !errors.Is(err, tt.want) {
				t.Errorf("Fetch = %v, want %v", err, tt.want)
			}
			if _, err := l.Exists(context.Background(), desc); tt.want == ErrInvalidLayout && !errors.Is(err, tt.want) {
				t.Errorf("Exists = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestBlobWriter(t *testing.T) {
	l := newLayout(t)
	w, err := l.NewBlobWriter()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	data := strings.Repeat("streamed ", 5000)
	if _, err := io.Copy(w, strings.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	desc, err := w.Commit(ocispec.MediaTypeImageLayerGzip)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	want := descFor(ocispec.MediaTypeImageLayerGzip, []byte(data))
	if desc.Digest != want.Digest || desc.Size != want.Size || desc.MediaType != want.MediaType {
		t.Fatalf("Commit = %+v, want %+v", desc, want)
	}
	if err := w.Close(); err != nil {
		t.Errorf("Close after Commit: %v", err)
	}
	got, err := oci.ReadBlob(context.Background(), l, desc, desc.Size)
	if err != nil || string(got) != data {
		t.Fatalf("ReadBlob after Commit: %v", err)
	}
}

func TestBlobWriterDuplicateAndAbort(t *testing.T) {
	l := newLayout(t)
	for range 2 { // the second Commit finds the blob already present
		w, err := l.NewBlobWriter()
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("same"))
		if _, err := w.Commit("x"); err != nil {
			t.Fatalf("Commit: %v", err)
		}
	}
	w, err := l.NewBlobWriter()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("abandoned"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	names := listDir(t, filepath.Join(l.Dir(), "blobs", "sha256"))
	if len(names) != 2 { // "." and the committed blob
		t.Fatalf("blobs/sha256 = %v, want just one blob", names)
	}
}

// TestWriteBlobReadBack checks WriteBlob and that oci.ReadBlob, the one
// reader of small blobs, gets this package's errors through Fetch: each
// is both this package's sentinel and oras-go's.
func TestWriteBlobReadBack(t *testing.T) {
	l := newLayout(t)
	ctx := context.Background()
	desc, err := l.WriteBlob(ctx, ocispec.MediaTypeImageConfig, []byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if again, err := l.WriteBlob(ctx, ocispec.MediaTypeImageConfig, []byte(`{"a":1}`)); err != nil || again.Digest != desc.Digest {
		t.Fatalf("WriteBlob not idempotent: %v", err)
	}
	tests := []struct {
		name  string
		desc  ocispec.Descriptor
		limit int64
		want  []error
	}{
		{"ok", desc, 100, nil},
		{"exact limit", desc, desc.Size, nil},
		// huge size: must be refused before any read or allocation
		{"oversized", ocispec.Descriptor{Digest: desc.Digest, Size: 1 << 40}, 1 << 20, []error{errdef.ErrSizeExceedsLimit}},
		{"wrong size", ocispec.Descriptor{Digest: desc.Digest, Size: desc.Size - 1}, 100, []error{ErrDigestMismatch, ErrCorruptBlob, content.ErrMismatchedDigest}},
		{"missing", descFor("x", []byte("absent")), 100, []error{errdef.ErrNotFound}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := oci.ReadBlob(ctx, l, tt.desc, tt.limit)
			if (tt.want == nil) != (err == nil) {
				t.Fatalf("ReadBlob = %v, want %v", err, tt.want)
			}
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("ReadBlob = %v, want it to wrap %v", err, want)
				}
			}
		})
	}
}
