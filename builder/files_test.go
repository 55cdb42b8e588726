package builder

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/config"
)

// assets is a tree with an executable, a private file, nested
// directories and a relative link inside it.
var assets = map[string]node{
	"static/index.html":    {content: "<h1>hi</h1>", mode: 0o600},
	"static/run.sh":        {content: "#!/bin/sh\n", mode: 0o700},
	"static/sub/dir/a.txt": {content: "a", mode: 0o664},
	"static/link":          {link: "sub/dir/a.txt"},
	"static/up":            {link: "sub/dir/../../index.html"},
	"certs/ca.crt":         {content: "CERT", mode: 0o640},
}

var assetSpecs = []config.FileSpec{{From: "static", To: "/srv/static"}, {From: "certs/ca.crt", To: "/etc/ssl/certs/ca-certificates.crt"}}

// The files layer holds every entry of the trees, parents first, sorted,
// 0:0 without names, stamped with the build's time, with fixed modes
// whatever the checkout's; it lies beneath the binary's layer.
func TestFilesLayerEntries(t *testing.T) {
	f, opts := newFake(t)
	makeTree(t, opts.Dir, assets)
	opts.Files = assetSpecs
	res, err := Run(context.Background(), f, opts)
	mustDo(t, err)
	layers, cfg := imageLayers(t, res.LayoutDir)
	if len(layers) != 2 {
		t.Fatalf("%d layers, want the files' and the binary's", len(layers))
	}
	const at = " 0:0 2023-11-14T22:13:20Z"
	want := []string{
		"etc/ 5 0755" + at, "etc/ssl/ 5 0755" + at, "etc/ssl/certs/ 5 0755" + at,
		`etc/ssl/certs/ca-certificates.crt 0 0644` + at + ` "CERT"`,
		"srv/ 5 0755" + at, "srv/static/ 5 0755" + at,
		`srv/static/index.html 0 0644` + at + ` "<h1>hi</h1>"`,
		"srv/static/link 2 0777" + at + " -> sub/dir/a.txt",
		`srv/static/run.sh 0 0755` + at + ` "#!/bin/sh\n"`,
		"srv/static/sub/ 5 0755" + at, "srv/static/sub/dir/ 5 0755" + at,
		`srv/static/sub/dir/a.txt 0 0644` + at + ` "a"`,
		"srv/static/up 2 0777" + at + " -> sub/dir/../../index.html",
	}
	if got := tarListing(t, res.LayoutDir, layers[0]); !slices.Equal(got, want) {
		t.Errorf("files layer:\n%q\nwant\n%q", got, want)
	}
	if got := tarListing(t, res.LayoutDir, layers[1]); len(got) != 2 || !contains(got[1:], "app/svc 0 0755") {
		t.Errorf("the binary's layer is not last: %q", got)
	}
	h := cfg.History[0].CreatedBy
	if want := "krust build: files static -> /srv/static, certs/ca.crt -> /etc/ssl/certs/ca-certificates.crt"; h != want {
		t.Errorf("history %q, want %q", h, want)
	}
	validateImage(t, res.LayoutDir, res.Root.Digest)
}

// Two checkouts of the same tree, with other mtimes, permissions (made
// under another umask) and a directory as "to" of the workspace's
// entry, give the same files layer and image.
func TestFilesLayerIgnoresTheCheckout(t *testing.T) {
	build := func(umask int, mtime int64) *Result {
		old := syscall.Umask(umask)
		f, opts := newFake(t)
		tree := map[string]node{}
		for p, n := range assets {
			if n.link == "" {
				n.mode &^= os.FileMode(umask)
				if n.mode&0o100 == 0 && p == "static/run.sh" {
					n.mode |= 0o100 // an executable stays one
				}
			}
			tree[p] = n
		}
		makeTree(t, opts.Dir, tree)
		syscall.Umask(old)
		mustDo(t, filepath.WalkDir(opts.Dir, func(p string, _ os.DirEntry, err error) error {
			mustDo(t, err)
			return os.Lchown(p, int(mtime%1000), int(mtime%1000))
		}))
		mustDo(t, filepath.WalkDir(filepath.Join(opts.Dir, "static"), func(p string, d os.DirEntry, _ error) error {
			if d.Type()&os.ModeSymlink != 0 {
				return nil
			}
			return os.Chtimes(p, time.Unix(mtime, 0), time.Unix(mtime, 0))
		}))
		opts.Files = assetSpecs
		res, err := Run(context.Background(), f, opts)
		mustDo(t, err)
		return &res
	}
	a, b := build(0o022, 1000000000), build(0o077, 1600000123)
	la, _ := imageLayers(t, a.LayoutDir)
	lb, _ := imageLayers(t, b.LayoutDir)
	if la[0].Digest != lb[0].Digest || a.Root.Digest != b.Root.Digest {
		t.Errorf("files layers %s and %s, images %s and %s: the checkout's mtimes, owners or umask reached the image",
			la[0].Digest, lb[0].Digest, a.Root.Digest, b.Root.Digest)
	}
}

// A package's entries are relative to its own directory, the
// workspace's to the workspace root (where cargo reads inherited paths).
func TestFilesRelativeToTheirTable(t *testing.T) {
	f, opts := newFake(t)
	f.project.Packages[0].ManifestPath = filepath.Join(opts.Dir, "api", "Cargo.toml")
	opts.pkg = "svc"
	makeTree(t, opts.Dir, map[string]node{
		"api/static/index.html": {content: "member's", mode: 0o644},
		"static/index.html":     {content: "root's", mode: 0o644},
		"certs/ca.crt":          {content: "root's CA", mode: 0o644},
	})
	opts.Files = []config.FileSpec{{From: "static", To: "/srv"}, {From: "certs/ca.crt", To: "/ca.crt", Workspace: true}}
	res, err := Run(context.Background(), f, opts)
	mustDo(t, err)
	layers, _ := imageLayers(t, res.LayoutDir)
	got := tarListing(t, res.LayoutDir, layers[0])
	if !contains(got, `srv/index.html 0 0644 0:0 2023-11-14T22:13:20Z "member's"`) || !contains(got, `ca.crt 0 0644 0:0 2023-11-14T22:13:20Z "root's CA"`) {
		t.Errorf("files layer %q: want the member's static and the root's CA", got)
	}
}
