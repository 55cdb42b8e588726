package cargo

import (
	"io"
	"strconv"

	"github.com/moby/term"
)

// termEnv returns env for a cargo whose stderr is a pipe krust reads
// (linkScan) but whose output reaches w: when w is the user's terminal,
// cargo is told to colour and draw its progress bar as it would there,
// unless the user's environment already says how.
func termEnv(env []string, w io.Writer) []string {
	fd, isTerminal := term.GetFdInfo(w)
	if !isTerminal {
		return env
	}
	if _, ok := lookupEnv(env, "CARGO_TERM_COLOR"); !ok {
		env = setEnv(env, "CARGO_TERM_COLOR", "always")
	}
	_, when := lookupEnv(env, "CARGO_TERM_PROGRESS_WHEN")
	_, width := lookupEnv(env, "CARGO_TERM_PROGRESS_WIDTH")
	if ws, err := term.GetWinsize(fd); !when && !width && err == nil && ws.Width > 0 {
		env = setEnv(env, "CARGO_TERM_PROGRESS_WHEN", "always")
		env = setEnv(env, "CARGO_TERM_PROGRESS_WIDTH", strconv.Itoa(int(ws.Width)))
	}
	return env
}
