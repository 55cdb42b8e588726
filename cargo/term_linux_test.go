package cargo

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal 123 columns wide and returns its
// terminal side.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: 123, Row: 40}); err != nil {
		t.Fatal(err)
	}
	return s
}

// cargo writes into a pipe krust reads; on the user's terminal it still
// colours and draws its progress as it would there.
func TestTermEnv(t *testing.T) {
	pty := openPTY(t)
	regular, err := os.Create(t.TempDir() + "/log")
	if err != nil {
		t.Fatal(err)
	}
	defer regular.Close()
	tests := []struct {
		name string
		w    any
		env  []string
		want map[string]string // "" for unset
	}{
		{"a terminal", pty, nil, map[string]string{"CARGO_TERM_COLOR": "always", "CARGO_TERM_PROGRESS_WHEN": "always", "CARGO_TERM_PROGRESS_WIDTH": "123"}},
		{"the user's own settings", pty, []string{"CARGO_TERM_COLOR=never", "CARGO_TERM_PROGRESS_WHEN=never"},
			map[string]string{"CARGO_TERM_COLOR": "never", "CARGO_TERM_PROGRESS_WHEN": "never", "CARGO_TERM_PROGRESS_WIDTH": ""}},
		{"a file", regular, nil, map[string]string{"CARGO_TERM_COLOR": "", "CARGO_TERM_PROGRESS_WHEN": ""}},
		{"a buffer", &bytes.Buffer{}, nil, map[string]string{"CARGO_TERM_COLOR": "", "CARGO_TERM_PROGRESS_WHEN": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _ := tt.w.(interface{ Write([]byte) (int, error) })
			env := termEnv(tt.env, w)
			for key, want := range tt.want {
				if got, _ := lookupEnv(env, key); got != want {
					t.Errorf("%s=%q, want %q", key, got, want)
				}
			}
		})
	}
}
