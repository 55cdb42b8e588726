package flock

import (
	"errors"
	"strings"
	"testing"
)

// The error a non-unix system gets names the system, why krust needs
// locks and where it runs instead; callers can test it as unsupported.
func TestUnsupportedSaysWhatToDo(t *testing.T) {
	err := unsupported("windows")
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("%v does not wrap errors.ErrUnsupported", err)
	}
	for _, want := range []string{"flock(2)", "windows has none", "Linux or macOS", "WSL 2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
