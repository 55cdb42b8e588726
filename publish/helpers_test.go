package publish

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/google/go-containerregistry/pkg/registry"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// fakeCargo "builds" by writing exe where cargo would put the executable.
type fakeCargo struct {
	project cargo.Project
	exe     string
}

func (f *fakeCargo) CheckTarget(context.Context, string, string) error { return nil }

func (f *fakeCargo) Build(_ context.Context, req cargo.BuildRequest) ([]cargo.Artifact, error) {
	var arts []cargo.Artifact
	for _, triple := range req.Triples {
		for _, bin := range req.Bins {
			path := filepath.Join(f.project.TargetDir, triple, "release", bin)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, []byte("\x7fELF "+f.exe), 0o755); err != nil {
				return nil, err
			}
			arts = append(arts, cargo.Artifact{Bin: bin, Path: path, Triple: triple})
		}
	}
	return arts, nil
}

func (f *fakeCargo) Graph(context.Context, cargo.DepsRequest) (*cargo.Graph, error) {
	return nil, errors.New("no SBOM in these tests")
}

func (f *fakeCargo) Toolchain(context.Context, string) (cargo.Toolchain, error) {
	return cargo.Toolchain{}, errors.New("no provenance in these tests")
}

// newFake returns a fake cargo for package svc in a new directory, and a
// request for its image in the layout, with no documents.
func newFake(t *testing.T) (*fakeCargo, builder.Request) {
	t.Helper()
	dir := t.TempDir()
	f := &fakeCargo{exe: "first", project: cargo.Project{
		WorkspaceRoot: dir, TargetDir: filepath.Join(dir, "target"),
		Packages: []cargo.Package{{
			Name: "svc", Version: "1.2.3", ManifestPath: filepath.Join(dir, "Cargo.toml"),
			Targets: []cargo.Target{{Name: "svc", Kind: []string{"bin"}}},
		}},
	}}
	return f, request(dir, &f.project, f.project.Packages[0])
}

// request is the request for pkg's image, on scratch, for linux/amd64,
// with no documents. Fields are set one by one, not in a literal, as the
// settings they hold may move into an embedded struct.
func request(dir string, proj *cargo.Project, pkg cargo.Package) builder.Request {
	req := builder.Request{Dir: dir, Project: proj, Package: pkg}
	req.Platforms = []ocispec.Platform{{OS: "linux", Architecture: "amd64"}}
	req.Libc = cargo.Glibc
	req.Base = builder.Scratch
	req.Tags = []string{"latest"}
	req.Created = time.Unix(1700000000, 0)
	req.SBOM, req.Provenance = "none", "none"
	return req
}

// run prepares and runs req with c, keeping the result's lease.
func run(t *testing.T, c builder.Cargo, req builder.Request) builder.Result {
	t.Helper()
	plan, err := (&builder.Builder{Cargo: c}).Prepare(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	res, err := plan.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// newRegistry serves an in-memory registry and returns its host.
func newRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}
