package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/distribution/reference"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// errStopListing ends a tag listing after its first page.
var errStopListing = errors.New("stop listing tags")

// CheckPush checks, before anything is built, that an image can be sent
// to named's repository as far as the registry tells without writing: it
// answers over a connection we trust, and it accepts the credentials. It
// lists the repository's tags (one page) asking for pull and push access,
// so a token server is asked for the scope a push needs and a registry
// with basic auth checks the password. Missing or refused credentials
// (401) fail it, since the push would be refused the same way; any other
// answer (a repository that does not exist yet, a listing the account may
// not read) is left for the push to report, as registries differ there.
func (c *Client) CheckPush(ctx context.Context, named reference.Named) (err error) {
	ctx, done := c.bounded(ctx, "check registry "+reference.Domain(named))
	defer func() { err = done(err) }()
	repo, err := c.Repository(ctx, named)
	if err != nil {
		return err
	}
	repo.TagListPageSize = 1
	ctx = auth.AppendRepositoryScope(ctx, repo.Reference, auth.ActionPull, auth.ActionPush)
	err = repo.Tags(ctx, "", func([]string) error { return errStopListing })
	var resp *errcode.ErrorResponse
	switch {
	case err == nil, errors.Is(err, errStopListing):
		return nil
	case errors.As(err, &resp) && resp.StatusCode != http.StatusUnauthorized:
		return nil
	}
	return explain(fmt.Errorf("check push access to %s: %w", named.Name(), err), repo)
}
