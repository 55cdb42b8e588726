package builder

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// togetherCargo is fakeCargo safe for builds at once, recording what
// each cargo build and graph was asked.
type togetherCargo struct {
	*fakeCargo
	mu     sync.Mutex
	builds []cargo.BuildRequest
	graphs map[string][]string // package: the packages its graph was read with
}

func (c *togetherCargo) Build(ctx context.Context, req cargo.BuildRequest) ([]cargo.Artifact, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.builds = append(c.builds, req)
	return c.fakeCargo.Build(ctx, req)
}

func (c *togetherCargo) CheckTarget(context.Context, string, string) error { return nil }

func (c *togetherCargo) Graph(ctx context.Context, req cargo.DepsRequest) (*cargo.Graph, error) {
	c.mu.Lock()
	if c.graphs == nil {
		c.graphs = map[string][]string{}
	}
	c.graphs[req.Package] = req.Packages
	c.mu.Unlock()
	return c.fakeCargo.Graph(ctx, req)
}

// togetherPlans prepares, with one Builder, the plans of packages of a
// workspace: api (binaries api and admin, run admin), worker, and other,
// whose binary is named worker too.
func togetherPlans(t *testing.T, platforms ...string) (*togetherCargo, []*Plan) {
	t.Helper()
	f, opts := newFake(t)
	pkg := func(name string, bins ...string) cargo.Package {
		p := cargo.Package{Name: name, Version: "0.1.0", ManifestPath: filepath.Join(opts.Dir, name, "Cargo.toml")}
		for _, b := range bins {
			p.Targets = append(p.Targets, cargo.Target{Name: b, Kind: []string{"bin"}})
		}
		return p
	}
	f.project.Packages = []cargo.Package{pkg("api", "api", "admin"), pkg("worker", "worker"), pkg("other", "worker")}
	c := &togetherCargo{fakeCargo: f}
	b := &Builder{Cargo: c}
	opts.Platforms = nil
	for _, p := range platforms {
		pl, err := oci.ParsePlatform(p)
		if err != nil {
			t.Fatal(err)
		}
		opts.Platforms = append(opts.Platforms, pl)
	}
	var plans []*Plan
	for _, p := range f.project.Packages {
		req := opts.Request
		req.Project, req.Package = &f.project, p
		if p.Name == "api" {
			req.Bins, req.Entrypoint = []string{"api", "admin"}, "admin"
		}
		plan, err := b.Prepare(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, plan)
	}
	return c, plans
}

// Packages cargo can build together share one cargo build (of every
// platform): api and worker; other, whose binary is worker too, gets its
// own, as cargo would write both to one path. Each graph is read with
// the packages built with it; each image holds its binaries, each in its
// layer, and runs its entrypoint.
func TestRunAllSharesCargoBuilds(t *testing.T) {
	c, plans := togetherPlans(t, "linux/amd64", "linux/arm64")
	results, err := RunAll(context.Background(), plans, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, r := range results {
			r.Release()
		}
	}()
	type built struct{ pkgs, bins []string }
	var got []built
	for _, b := range c.builds {
		got = append(got, built{b.Packages, b.Bins})
		if len(b.Triples) != 2 {
			t.Errorf("cargo build of %v for %v, want both platforms in one request", b.Packages, b.Triples)
		}
	}
	want := []built{{[]string{"api", "worker"}, []string{"api", "admin", "worker"}}, {[]string{"other"}, []string{"worker"}}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cargo builds %v, want %v", got, want)
	}
	for pkg, w := range map[string][]string{"api": {"api", "worker"}, "worker": {"api", "worker"}, "other": nil} {
		if g := c.graphs[pkg]; !slices.Equal(g, w) {
			t.Errorf("graph of %s read with %v, want %v", pkg, g, w)
		}
	}
	checkEntrypoints(t, results)
}

// checkEntrypoints checks that each layout's latest of togetherPlans
// runs its package's entrypoint, with a layer per binary.
func checkEntrypoints(t *testing.T, results []Result) {
	t.Helper()
	for i, want := range []struct {
		entrypoint string
		layers     int
	}{{"/app/admin", 2}, {"/app/worker", 1}, {"/app/worker", 1}} {
		store := mustOpen(t, results[i].LayoutDir)
		desc, err := store.Resolve(context.Background(), "latest")
		if err != nil {
			t.Fatal(err)
		}
		if oci.IsIndex(desc.MediaType) {
			var idx ocispec.Index
			if err := oci.ReadJSON(context.Background(), store, desc, oci.MaxManifestSize, &idx); err != nil {
				t.Fatal(err)
			}
			desc = idx.Manifests[0]
		}
		var m ocispec.Manifest
		var cfg ocispec.Image
		if err := oci.ReadJSON(context.Background(), store, desc, oci.MaxManifestSize, &m); err != nil {
			t.Fatal(err)
		}
		if err := oci.ReadJSON(context.Background(), store, m.Config, oci.MaxConfigSize, &cfg); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(cfg.Config.Entrypoint, []string{want.entrypoint}) || len(m.Layers) != want.layers {
			t.Errorf("%s: entrypoint %v, %d layers; want %s, %d", results[i].LayoutDir, cfg.Config.Entrypoint, len(m.Layers), want.entrypoint, want.layers)
		}
	}
}

// Builds of several packages at once, sharing binary names in any
// order, never wait for each other both ways, and each image stays under
// its layout's tag: 30 rounds of two RunAll at once, the plans in
// opposite orders.
func TestRunAllAtOnce(t *testing.T) {
	for round := range 30 {
		_, plans := togetherPlans(t, "linux/amd64")
		reversed := slices.Clone(plans)
		slices.Reverse(reversed)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		var results []Result
		for i, ps := range [][]*Plan{plans, reversed} {
			wg.Go(func() {
				res, err := RunAll(ctx, ps, 3)
				for _, r := range res {
					r.Release()
				}
				if i == 0 {
					results = res
				}
				errs[i] = err
			})
		}
		wg.Wait()
		cancel()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		checkEntrypoints(t, results)
	}
}
