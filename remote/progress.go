package remote

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/docker-krust/docker-krust/internal/human"
	"github.com/docker-krust/docker-krust/layout"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// progressSource is a layout whose blob reads report progress: on a
// terminal a live line per blob, elsewhere a line when a blob starts and
// one when it is done.
type progressSource struct {
	*layout.Layout
	log io.Writer
}

// Fetch opens desc and reports the bytes read from it.
func (p *progressSource) Fetch(ctx context.Context, desc ocispec.Descriptor) (io.ReadCloser, error) {
	rc, err := p.Layout.Fetch(ctx, desc)
	if err != nil || isManifestKind(desc.MediaType) {
		// Manifests are also read to walk the graph: they are reported
		// when copied, not here.
		return rc, err
	}
	r := &progressReader{ReadCloser: rc, desc: desc, log: p.log, live: isTerminal(p.log)}
	if !r.live {
		fmt.Fprintf(p.log, "pushing %s %s (%s)\n", kind(desc.MediaType), short(desc.Digest), human.Bytes(desc.Size))
	}
	return r, nil
}

// progressReader counts what is read through it.
type progressReader struct {
	io.ReadCloser
	desc ocispec.Descriptor
	log  io.Writer
	live bool
	mu   sync.Mutex
	read int64
	last int64
	done bool
}

func (r *progressReader) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.read += int64(n)
	if r.live && (r.read-r.last >= 256<<10 || err == io.EOF) {
		r.last = r.read
		fmt.Fprintf(r.log, "\rpushing %s %s %s / %s ", kind(r.desc.MediaType), short(r.desc.Digest), human.Bytes(r.read), human.Bytes(r.desc.Size))
	}
	if err == io.EOF && !r.done {
		r.done = true
		if r.live {
			fmt.Fprintln(r.log)
		} else {
			fmt.Fprintf(r.log, "pushed %s %s (%s)\n", kind(r.desc.MediaType), short(r.desc.Digest), human.Bytes(r.read))
		}
	}
	return n, err
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// isManifestKind reports whether mediaType is a manifest or an index.
func isManifestKind(mediaType string) bool {
	k := kind(mediaType)
	return k == "manifest" || k == "index"
}

// kind names what a media type is, for progress lines.
func kind(mediaType string) string {
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

// short abbreviates a digest for humans: sha256:0123456789ab.
func short(d digest.Digest) string {
	s := d.String()
	if i := strings.IndexByte(s, ':'); i >= 0 && len(s) > i+13 {
		return s[:i+13]
	}
	return s
}
