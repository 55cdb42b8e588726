package remote

import (
	"io"
	"strings"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// countingReader reports the bytes read through it as BlobStarted, then
// BlobProgress every progressStep bytes and at the end.
type countingReader struct {
	io.ReadCloser
	desc ocispec.Descriptor
	ev   *events
	read int64
	last int64
	done bool
}

func newCountingReader(rc io.ReadCloser, desc ocispec.Descriptor, ev *events) *countingReader {
	ev.emit(Event{Kind: BlobStarted, Blob: desc})
	return &countingReader{ReadCloser: rc, desc: desc, ev: ev}
}

// Read is called by one goroutine at a time (the one sending the blob).
func (r *countingReader) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	r.read += int64(n)
	end := err == io.EOF && !r.done
	step := r.read-r.last >= progressStep && r.read < r.desc.Size
	if step || end {
		r.last = r.read
		r.done = end
		r.ev.emit(Event{Kind: BlobProgress, Blob: r.desc, Bytes: r.read})
	}
	return n, err
}

// isManifestKind reports whether mediaType is a manifest or an index.
func isManifestKind(mediaType string) bool {
	k := BlobKind(mediaType)
	return k == "manifest" || k == "index"
}

// BlobKind names what a media type is, for people: index, manifest,
// config, layer or blob.
func BlobKind(mediaType string) string {
	switch {
	case strings.Contains(mediaType, "index"), strings.Contains(mediaType, "manifest.list"):
		return "index"
	case strings.Contains(mediaType, "manifest"):
		return "manifest"
	case strings.Contains(mediaType, "config"), strings.Contains(mediaType, "container.image"):
		return "config"
	case strings.Contains(mediaType, "layer"), strings.Contains(mediaType, "rootfs"):
		return "layer"
	}
	return "blob"
}

// ShortDigest abbreviates a digest for people: sha256:0123456789ab.
func ShortDigest(d digest.Digest) string {
	s := d.String()
	if i := strings.IndexByte(s, ':'); i >= 0 && len(s) > i+13 {
		return s[:i+13]
	}
	return s
}

// blobName names desc for messages: "layer sha256:0123456789ab".
func blobName(desc ocispec.Descriptor) string {
	return BlobKind(desc.MediaType) + " " + ShortDigest(desc.Digest)
}
