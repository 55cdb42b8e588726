//go:build unix

package resolve

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/regular/regulartest"
)

func TestReadSourcesRefusesSpecialFiles(t *testing.T) {
	for _, kind := range []string{"fifo", "socket"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "k8s", "deploy.yaml")
			regulartest.Make(t, path, kind)
			for _, p := range []string{path, filepath.Dir(path)} {
				err := regulartest.Quick(t, 5*time.Second, func() error {
					_, err := ReadSources([]string{p}, nil, false)
					return err
				})
				if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), path+" is "+regulartest.Describe[kind]) {
					t.Errorf("ReadSources(%s) error = %v, want %v naming %s", p, err, ErrNotRegular, path)
				}
			}
		})
	}
}

func TestReadSourcesRefusesLinkToSpecialFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	regulartest.Make(t, fifo, "fifo")
	link := filepath.Join(dir, "deploy.yaml")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	err := regulartest.Quick(t, 5*time.Second, func() error {
		_, err := ReadSources([]string{dir}, nil, false)
		return err
	})
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), link) {
		t.Errorf("error = %v, want %v naming %s", err, ErrNotRegular, link)
	}
}

func TestReadSourcesIgnoresDirectoryNamedLikeAManifest(t *testing.T) {
	dir := tree(t, map[string]string{"x.yaml/a.txt": "no", "b.yaml": "b: 1\n"})
	srcs, err := ReadSources([]string{dir}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 1 || srcs[0].Name != filepath.Join(dir, "b.yaml") {
		t.Errorf("read %v", srcs)
	}
}
