package builder

import "github.com/docker-krust/docker-krust/internal/problems"

// Problems are what the independent checks made before cargo runs found,
// all of them, so that one run tells the user everything there is to fix.
// It unwraps to each problem, so errors.Is and errors.As see them all. The
// command's checks of settings report theirs the same way.
type Problems = problems.List

// joinProblems returns nil when errs holds no error, the error itself when
// it holds one, and else Problems (see problems.Join).
func joinProblems(errs ...error) error {
	return problems.Join(errs...)
}
