package problems

import (
	"errors"
	"strings"
	"testing"
)

func TestJoin(t *testing.T) {
	a, b, c := errors.New("a is wrong"), errors.New("b is wrong\n  fix b so"), errors.New("c is wrong")
	tests := []struct {
		name string
		errs []error
		want []error // nil: Join returns nil
	}{
		{"none", nil, nil},
		{"only nils", []error{nil, nil}, nil},
		{"one", []error{nil, a}, []error{a}},
		{"several in order", []error{b, nil, a}, []error{b, a}},
		{"the same message twice", []error{a, errors.New("a is wrong"), b}, []error{a, b}},
		{"a list among them gives its problems", []error{a, List{b, c}}, []error{a, b, c}},
		{"a list within a list", []error{List{List{a, b}, c}, a}, []error{a, b, c}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Join(tt.errs...)
			switch {
			case tt.want == nil:
				if err != nil {
					t.Fatalf("Join = %v, want nil", err)
				}
				return
			case len(tt.want) == 1:
				if err != tt.want[0] {
					t.Fatalf("Join = %#v, want the one error itself", err)
				}
				return
			}
			list, ok := err.(List)
			if !ok || len(list) != len(tt.want) {
				t.Fatalf("Join = %#v, want a List of %d", err, len(tt.want))
			}
			for i, w := range tt.want {
				if list[i] != w || !errors.Is(err, w) {
					t.Errorf("problem %d = %v, want %v", i+1, list[i], w)
				}
			}
		})
	}
}

func TestListError(t *testing.T) {
	got := List{errors.New("a is wrong"), errors.New("b is wrong\n  fix b so")}.Error()
	want := "2 problems found before building; fix them all, then run again:\n1. a is wrong\n2. b is wrong\n   fix b so"
	if got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	if strings.Count(got, "\n") != 3 {
		t.Errorf("lines: %q", got)
	}
}
