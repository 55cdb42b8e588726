package publish

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Two packages of one workspace, each with a binary named server, built
// and published at once with one Builder and real cargo (one target
// directory, one cargo lock, one layer cache, one krust/ directory of
// layouts): each image holds its own package's executable.
func TestBuildTwoPackagesOfOneWorkspaceAtOnce(t *testing.T) {
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Fatalf("cargo is not installed: .ci/run installs it (see README): %v", err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	pkgs := []string{"alpha", "beta"}
	writeFile(t, filepath.Join(dir, "Cargo.toml"), "[workspace]\nmembers = [\"alpha\", \"beta\"]\nresolver = \"2\"\n")
	for _, p := range pkgs {
		writeFile(t, filepath.Join(dir, p, "Cargo.toml"), "[package]\nname = \""+p+"\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[[bin]]\nname = \"server\"\npath = \"src/main.rs\"\n")
		writeFile(t, filepath.Join(dir, p, "src", "main.rs"), "fn main() { println!(\"krust test binary of "+p+"\"); }\n")
	}
	c := &cargo.Cargo{Env: os.Environ()}
	proj, err := c.Metadata(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	b := &builder.Builder{Cargo: c}
	refs, errs := make([]string, len(pkgs)), make([]error, len(pkgs))
	var wg sync.WaitGroup
	for i, p := range pkgs {
		pkg, err := proj.SelectPackage(filepath.Join(dir, p), "")
		if err != nil {
			t.Fatal(err)
		}
		req := request(filepath.Join(dir, p), proj, pkg)
		wg.Go(func() {
			refs[i], errs[i] = Build(ctx, b, req, func(*builder.Plan) (Destinations, error) { return Destinations{}, nil })
		})
	}
	wg.Wait()
	for i, p := range pkgs {
		if errs[i] != nil {
			t.Fatalf("build %s: %v", p, errs[i])
		}
		exe := executable(t, refs[i], "app/server")
		for _, other := range pkgs {
			if has := bytes.Contains(exe, []byte("krust test binary of "+other)); has != (other == p) {
				t.Errorf("the image of %s (%s) holds %s's executable: %v", p, refs[i], other, has)
			}
		}
	}
}

// executable returns the file name in the one layer of the image ref
// (oci:DIR:TAG) names.
func executable(t *testing.T, ref, name string) []byte {
	t.Helper()
	ctx := context.Background()
	dir, tag, ok := layout.ParseRef(ref)
	if !ok {
		t.Fatalf("%q is no layout reference", ref)
	}
	store, err := layout.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := store.FindImage(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	var m ocispec.Manifest
	if err := oci.ReadJSON(ctx, store, desc, oci.MaxManifestSize, &m); err != nil {
		t.Fatal(err)
	}
	rc, err := store.Fetch(ctx, m.Layers[len(m.Layers)-1])
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	zr, err := gzip.NewReader(rc)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no %s in the layer of %s: %v", name, ref, err)
		}
		if h.Name == name {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
