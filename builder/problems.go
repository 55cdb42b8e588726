package builder

import (
	"fmt"
	"strings"
)

// Problems are what the independent checks made before cargo runs found,
// all of them, so that one run tells the user everything there is to fix.
// It unwraps to each problem, so errors.Is and errors.As see them all.
type Problems []error

func (p Problems) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems found before building; fix them all, then run again:", len(p))
	for i, err := range p {
		lines := strings.Split(err.Error(), "\n")
		fmt.Fprintf(&b, "\n%d. %s", i+1, lines[0])
		for _, line := range lines[1:] {
			b.WriteString("\n   " + strings.TrimLeft(line, " "))
		}
	}
	return b.String()
}

func (p Problems) Unwrap() []error { return p }

// joinProblems returns nil when errs holds no error, the error itself when
// it holds one, and else Problems. An error whose message an earlier one
// already gave (the same unreachable base, for every platform) is left out.
func joinProblems(errs ...error) error {
	var out Problems
	seen := map[string]bool{}
	for _, err := range errs {
		if err == nil || seen[err.Error()] {
			continue
		}
		seen[err.Error()] = true
		out = append(out, err)
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}
