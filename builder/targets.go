package builder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// prepareTargets settles the platforms (asking the base for "all"), reads
// or pulls the base for each, checks each Rust target is installed and,
// meanwhile, that the image can be pushed. These checks do not depend on
// each other, so all of them run and every problem is reported at once.
func (p *Plan) prepareTargets(ctx context.Context, store *layout.Layout) ([]target, error) {
	pushed := make(chan error, 1)
	if check := p.b.PushCheck; check != nil && p.Ref != nil {
		go func() { pushed <- check.CheckPush(ctx, p.Ref) }()
	} else {
		pushed <- nil
	}
	targets, errs := p.loadTargets(ctx, store)
	return targets, joinProblems(append([]error{<-pushed}, errs...)...)
}

// loadTargets reads the base and checks the Rust target of each platform,
// returning every problem found.
func (p *Plan) loadTargets(ctx context.Context, store *layout.Layout) ([]target, []error) {
	req := p.req
	platforms := req.Platforms
	if req.AllPlatforms {
		var err error
		if platforms, err = basePlatforms(ctx, p.b.Log, p.b.Puller, req.Base); err != nil {
			return nil, []error{err}
		}
	}
	ts := p.triples
	if req.AllPlatforms {
		var err error
		if ts, err = triples(platforms, req.Libc); err != nil {
			return nil, []error{err}
		}
	}
	var targets []target
	var errs []error
	for i, pl := range platforms {
		b, err := loadBase(ctx, p.b.Puller, req.Base, pl, store)
		errs = append(errs, err)
		t := target{platform: pl, triple: ts[i], base: b}
		if err == nil {
			if err := checkDocuments(p.recipe(), t, p.Bins); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", oci.PlatformString(pl), err))
			}
		}
		// Once cargo has built this executable for the triple, its
		// standard library was installed: asking rustc again would cost a
		// process on every no-op build. Had it been removed since,
		// cargo's own error names the target to add.
		if !p.builtBefore(ts[i]) {
			if err := p.b.Cargo.CheckTarget(ctx, req.Dir, ts[i]); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", oci.PlatformString(pl), err))
			}
		}
		targets = append(targets, t)
	}
	return targets, errs
}

// builtBefore reports whether cargo's output directory for triple and
// the build's profile holds the executables already.
func (p *Plan) builtBefore(triple string) bool {
	for _, bin := range p.Bins {
		info, err := os.Stat(filepath.Join(p.req.Project.TargetDir, triple, cargo.ProfileDir(p.profile), bin))
		if err != nil || !info.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// triples maps each platform to its Rust target triple.
func triples(platforms []ocispec.Platform, libc cargo.Libc) ([]string, error) {
	if len(platforms) == 0 {
		return nil, errors.New("no platform given")
	}
	out := make([]string, len(platforms))
	for i, pl := range platforms {
		t, err := cargo.Triple(pl, libc)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}
