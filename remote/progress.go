package remote

import (
	"io"
	"strings"

	"github.com/docker-krust/docker-krust/oci"

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
	return oci.KindOf(desc.MediaType).String() + " " + ShortDigest(desc.Digest)
}
