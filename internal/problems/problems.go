// Package problems gathers the problems that independent checks find, so
// that one run tells the user everything there is to fix rather than the
// first thing only.
package problems

import (
	"fmt"
	"strings"
)

// List is what the checks made before cargo runs found, all of them. It
// unwraps to each problem, so errors.Is and errors.As see them all.
type List []error

func (l List) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems found before building; fix them all, then run again:", len(l))
	for i, err := range l {
		lines := strings.Split(err.Error(), "\n")
		fmt.Fprintf(&b, "\n%d. %s", i+1, lines[0])
		for _, line := range lines[1:] {
			b.WriteString("\n   " + strings.TrimLeft(line, " "))
		}
	}
	return b.String()
}

func (l List) Unwrap() []error { return l }

// Join returns nil when errs holds no error, the error itself when it holds
// one, and else a List. A List among errs gives its problems one by one,
// and an error whose message an earlier one already gave (the same
// unreachable base, for every platform) is left out.
func Join(errs ...error) error {
	var out List
	seen := map[string]bool{}
	var add func(errs []error)
	add = func(errs []error) {
		for _, err := range errs {
			if l, ok := err.(List); ok {
				add(l)
				continue
			}
			if err == nil || seen[err.Error()] {
				continue
			}
			seen[err.Error()] = true
			out = append(out, err)
		}
	}
	add(errs)
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}
