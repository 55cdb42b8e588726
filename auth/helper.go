package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/docker-krust/docker-krust/internal/procgroup"
	"github.com/docker/docker-credential-helpers/credentials"
	orasauth "oras.land/oras-go/v2/registry/remote/auth"
)

// defaultHelperTimeout bounds a credential helper that does not answer.
const defaultHelperTimeout = 30 * time.Second

// helperGrace is how long a stopped helper's process group has between
// SIGTERM and SIGKILL.
const helperGrace = time.Second

// helperFor returns the credential helper Docker's config names for key:
// the host's entry in credHelpers, else credsStore; "" for none.
func (r Resolver) helperFor(key string) string {
	if h := r.Docker.CredentialHelpers[key]; h != "" {
		return h
	}
	return r.Docker.CredentialsStore
}

// fromHelper asks docker-credential-NAME for key's credentials, giving up
// after the helper timeout. A helper that has none is not an error: the
// config's auths entry, if any, is used, as the docker CLI does.
func (r Resolver) fromHelper(ctx context.Context, name, host, key string) (orasauth.Credential, error) {
	timeout := r.HelperTimeout
	if timeout <= 0 {
		timeout = defaultHelperTimeout
	}
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	program := "docker-credential-" + name
	if _, err := exec.LookPath(program); err != nil {
		// As after uninstalling Docker Desktop: do not let a helper that
		// is gone block public images; say what to fix.
		if r.Warn != nil {
			fmt.Fprintf(r.Warn, "warning: credential helper %s named in %s is not installed; going on without it (install it, or remove it from credsStore/credHelpers)\n", program, r.Docker.Filename)
		}
		return r.fromFile(key), nil
	}
	creds, err := getFromHelper(hctx, program, key)
	switch {
	case errors.Is(err, errNotFound):
		return r.fromFile(key), nil
	case ctx.Err() != nil:
		return orasauth.EmptyCredential, fmt.Errorf("credential helper %s for %s stopped: %w", program, host, context.Cause(ctx))
	case errors.Is(hctx.Err(), context.DeadlineExceeded):
		return orasauth.EmptyCredential, &kindError{kind: ErrHelperNoAnswer, err: hctx.Err(), msg: fmt.Sprintf(
			"credential helper %s gave no answer for %s within %v: check it (e.g. an unlocked keychain), or log in again with docker login %s", program, host, timeout, host)}
	case err != nil:
		return orasauth.EmptyCredential, &kindError{kind: ErrHelperFailed, err: err, msg: fmt.Sprintf(
			"get credentials for %s from credential helper %s: %v; see its own message with: echo %s | %s get; or log in again with docker login %s", host, program, err, key, program, host)}
	}
	if creds.Username == "<token>" {
		return orasauth.Credential{RefreshToken: creds.Secret}, nil
	}
	return orasauth.Credential{Username: creds.Username, Password: creds.Secret}, nil
}

// errNotFound is a helper's answer that it holds no credentials for a key.
var errNotFound = errors.New("credentials not found")

// getFromHelper runs `program get` with key on its standard input, as the
// credential helper protocol says, in its own process group so that
// stopping it stops its children too. A helper's output can hold the
// secret (a helper may print the credentials and then fail), so no error
// quotes its standard output or standard error: only the few fixed
// messages of the protocol are recognised.
func getFromHelper(ctx context.Context, program, key string) (*credentials.Credentials, error) {
	cmd := procgroup.Command(ctx, helperGrace, program, credentials.ActionGet)
	var stdout bytes.Buffer
	cmd.Stdin, cmd.Stdout = strings.NewReader(key), &stdout
	// Its standard error (prompts, diagnostics, maybe echoed input) is
	// dropped for the same reason.
	cmd.Stderr = nil
	if err := cmd.Run(); err != nil {
		out := strings.TrimSpace(stdout.String())
		switch {
		case credentials.IsErrCredentialsNotFoundMessage(out):
			return nil, errNotFound
		case credentials.IsCredentialsMissingServerURLMessage(out), credentials.IsCredentialsMissingUsernameMessage(out):
			return nil, fmt.Errorf("it answered %q", out)
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return nil, fmt.Errorf("it failed (%s; its output is not shown, as it may hold a secret)", exit.ProcessState)
		}
		return nil, fmt.Errorf("run it: %w", err)
	}
	creds := &credentials.Credentials{ServerURL: key}
	if err := json.NewDecoder(&stdout).Decode(creds); err != nil {
		// The decoder's message can quote part of the output.
		return nil, errors.New("it answered with something that is not the JSON credentials of the helper protocol (not shown, as it may hold a secret)")
	}
	return creds, nil
}

// fromFile returns key's entry in the config's auths.
func (r Resolver) fromFile(key string) orasauth.Credential {
	ac := r.Docker.AuthConfigs[key]
	return orasauth.Credential{Username: ac.Username, Password: ac.Password, RefreshToken: ac.IdentityToken, AccessToken: ac.RegistryToken}
}
