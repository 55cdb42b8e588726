package builder

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// node is a file of a test tree: content for a regular file (mode its
// permissions), dir for a directory, link for a symbolic link.
type node struct {
	content string
	mode    os.FileMode
	dir     bool
	link    string
}

// makeTree writes nodes under root, parents first (paths slash-separated).
func makeTree(t *testing.T, root string, nodes map[string]node) {
	t.Helper()
	for _, p := range slices.Sorted(maps.Keys(nodes)) {
		n, host := nodes[p], filepath.Join(root, filepath.FromSlash(p))
		mustDo(t, os.MkdirAll(filepath.Dir(host), 0o755))
		switch {
		case n.dir:
			mustDo(t, os.MkdirAll(host, n.mode|0o700))
			mustDo(t, os.Chmod(host, n.mode|0o700))
		case n.link != "":
			mustDo(t, os.Symlink(n.link, host))
		default:
			mustDo(t, os.WriteFile(host, []byte(n.content), 0o600))
			mustDo(t, os.Chmod(host, n.mode))
		}
	}
}

// imageLayers returns the new layers of the image tagged latest in dir
// (all of them: tests build on scratch) and its config.
func imageLayers(t *testing.T, dir string) ([]ocispec.Descriptor, ocispec.Image) {
	t.Helper()
	store := mustOpen(t, dir)
	desc, err := store.Resolve(context.Background(), "latest")
	mustDo(t, err)
	var m ocispec.Manifest
	mustDo(t, oci.ReadJSON(context.Background(), store, desc, oci.MaxManifestSize, &m))
	var cfg ocispec.Image
	mustDo(t, oci.ReadJSON(context.Background(), store, m.Config, oci.MaxConfigSize, &cfg))
	return m.Layers, cfg
}

// imageConfigDesc returns the descriptor of the config of the image
// tagged latest in dir.
func imageConfigDesc(t *testing.T, dir string) ocispec.Descriptor {
	t.Helper()
	store := mustOpen(t, dir)
	desc, err := store.Resolve(context.Background(), "latest")
	mustDo(t, err)
	var m ocispec.Manifest
	mustDo(t, oci.ReadJSON(context.Background(), store, desc, oci.MaxManifestSize, &m))
	return m.Config
}

// tarListing lists the entries of the gzip layer desc of the layout dir,
// one line each: path, type, mode, owner, mtime, size or link, content.
func tarListing(t *testing.T, dir string, desc ocispec.Descriptor) []string {
	t.Helper()
	f, err := os.Open(blobPath(dir, desc))
	mustDo(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	mustDo(t, err)
	tr := tar.NewReader(zr)
	var out []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		mustDo(t, err)
		data, err := io.ReadAll(tr)
		mustDo(t, err)
		line := fmt.Sprintf("%s %c %04o %d:%d%s%s %s", h.Name, h.Typeflag, h.Mode, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime.UTC().Format(time.RFC3339))
		if h.Typeflag == tar.TypeSymlink {
			line += " -> " + h.Linkname
		} else if h.Typeflag == tar.TypeReg {
			line += fmt.Sprintf(" %q", data)
		}
		out = append(out, line)
	}
}

// countCompressions counts the layers the build compresses.
func countCompressions(opts *testBuild) *atomic.Int64 {
	n := new(atomic.Int64)
	opts.compressed = func() { n.Add(1) }
	return n
}

func contains(s []string, want string) bool {
	for _, v := range s {
		if strings.Contains(v, want) {
			return true
		}
	}
	return false
}
