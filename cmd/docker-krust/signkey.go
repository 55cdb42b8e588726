package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/sign"
)

// noSigning is the --sign-key value that signs nothing, whatever the
// krust config's sign_key says.
const noSigning = "none"

// signingKey loads the key --sign-key or the krust config's sign_key
// names, or returns nil when neither does. It is loaded before anything
// is built, so that a missing file or a wrong password stops the build
// before cargo runs.
func (f *buildFlags) signingKey(ctx context.Context, env *environment, cfg *config.Config) (*sign.Key, error) {
	key, err := f.loadSigningKey(ctx, env, cfg)
	if err != nil {
		return nil, err
	}
	if f.signFormat != "" {
		if !slices.Contains(sign.Formats(), sign.Format(f.signFormat)) {
			return nil, fmt.Errorf("%w --sign-format %q: want one of %v", config.ErrInvalidSetting, f.signFormat, sign.Formats())
		}
		if key == nil {
			return nil, fmt.Errorf("%w --sign-format: it says how --sign-key signs, and no signing key is given (--sign-key, or sign_key in the krust config)", config.ErrInvalidSetting)
		}
	}
	return key, nil
}

func (f *buildFlags) loadSigningKey(ctx context.Context, env *environment, cfg *config.Config) (*sign.Key, error) {
	path := f.signKey
	if path == noSigning {
		return nil, nil
	}
	if path == "" {
		cfgPath, err := config.Path(env.getenv)
		if err != nil {
			return nil, err
		}
		if path, err = cfg.SigningKey(cfgPath); err != nil || path == "" {
			return nil, err
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	k, err := sign.LoadKey(abs, env.keyPassword(ctx, path))
	if err != nil {
		return nil, fmt.Errorf("%w; see --sign-key in --help", err)
	}
	k.Path = path
	if k.OthersCanRead() {
		fmt.Fprintf(env.stderr, "warning: signing key %s can be read by other users (mode %04o): chmod 600 %s\n", path, k.Mode.Perm(), path)
	}
	return k, nil
}

// cargoEnviron is the environment cargo runs in: krust's, without the
// signing key's password, which a build script or option_env! could
// otherwise put into the binary.
func (e *environment) cargoEnviron() []string { return sign.WithoutPassword(e.environ()) }

// keyPassword returns the password of an encrypted key: COSIGN_PASSWORD
// when it is set (even empty), else asked on the terminal, without echo.
// Without either, it fails rather than wait.
func (e *environment) keyPassword(ctx context.Context, path string) sign.Password {
	return func() ([]byte, error) {
		for _, kv := range e.environ() {
			if v, ok := strings.CutPrefix(kv, sign.PasswordVariable+"="); ok {
				return []byte(v), nil
			}
		}
		tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
		if err != nil {
			return nil, fmt.Errorf("set %s, or run on a terminal to be asked", sign.PasswordVariable)
		}
		defer tty.Close()
		return askPassword(ctx, tty, fmt.Sprintf("Password of signing key %s: ", path))
	}
}

// askPassword turns the terminal's echo off, then shows prompt, so that
// nothing typed after the prompt appears, and reads a line; a cancelled
// ctx (Ctrl-C) ends the wait. The echo is back on when it returns.
func askPassword(ctx context.Context, tty *os.File, prompt string) ([]byte, error) {
	restore, err := noEcho(int(tty.Fd()))
	if err != nil {
		return nil, fmt.Errorf("read the password: %w", err)
	}
	defer restore()
	fmt.Fprint(tty, prompt)
	defer fmt.Fprintln(tty)
	type answer struct {
		pw  []byte
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		pw, err := readLine(tty)
		ch <- answer{pw, err}
	}()
	select {
	case a := <-ch:
		if a.err != nil {
			return nil, fmt.Errorf("read the password: %w", a.err)
		}
		return a.pw, nil
	case <-ctx.Done():
		return nil, errors.Join(errors.New("no password given"), context.Cause(ctx))
	}
}

// readLine reads up to the end of a line, which it leaves out.
func readLine(r io.Reader) ([]byte, error) {
	var line []byte
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				return bytes.TrimSuffix(line, []byte("\r")), nil
			}
			line = append(line, b[0])
		}
		if err == io.EOF && len(line) > 0 {
			return line, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
