package publish

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/docker-krust/docker-krust/builder"
)

// BuildAll is Build for several packages of one project: it prepares every
// request and asks where each image goes (reporting every problem at once,
// before cargo runs), builds them with builder.RunAll (one cargo
// invocation per platform for the packages cargo can build together),
// then publishes the images, at most jobs at once. The references are
// returned in the order of reqs, and written, one line per image in that
// order, to --image-refs and then to stdout (the first destinations'),
// only once every image is published: a failure prints nothing.
func BuildAll(ctx context.Context, b *builder.Builder, reqs []builder.Request, where PlannedAt, jobs int) ([]string, error) {
	plans := make([]*builder.Plan, len(reqs))
	dests := make([]Destinations, len(reqs))
	var errs []error
	for i, req := range reqs {
		plan, err := b.Prepare(ctx, req)
		if err == nil {
			dests[i], err = where(i, plan)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("package %s: %w", req.Package.Name, err))
		}
		plans[i] = plan
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	results, err := builder.RunAll(ctx, plans, jobs)
	if err != nil {
		return nil, err
	}
	refs, err := publishAll(ctx, results, dests, max(jobs, 1))
	if err != nil {
		return nil, err
	}
	lines := Destinations{Stdout: dests[0].Stdout, Files: Files{ImageRefs: dests[0].Files.ImageRefs, Write: dests[0].Files.Write}}
	return refs, printRef(ctx, lines, strings.Join(refs, "\n"))
}

// publishAll publishes each result where its destinations say, but for
// stdout and --image-refs, which BuildAll writes once all are published.
func publishAll(ctx context.Context, results []builder.Result, dests []Destinations, jobs int) ([]string, error) {
	refs := make([]string, len(results))
	errs := make([]error, len(results))
	slots := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, res := range results {
		d := dests[i]
		d.Stdout, d.Files.ImageRefs = nil, nil
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			if refs[i], errs[i] = Publish(ctx, res, d); errs[i] != nil {
				errs[i] = fmt.Errorf("image of %s: %w", res.LayoutDir, errs[i])
			}
		})
	}
	wg.Wait()
	return refs, errors.Join(errs...)
}
