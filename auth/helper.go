package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"

	"github.com/docker/docker-credential-helpers/client"
	"github.com/docker/docker-credential-helpers/credentials"
	orasauth "oras.land/oras-go/v2/registry/remote/auth"
)

// defaultHelperTimeout bounds a credential helper that does not answer.
const defaultHelperTimeout = 30 * time.Second

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
	ctx, cancel := context.WithTimeout(ctx, timeout)
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
	creds, err := client.Get(commandFunc(ctx, program), key)
	switch {
	case credentials.IsErrCredentialsNotFound(err):
		return r.fromFile(key), nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return orasauth.EmptyCredential, fmt.Errorf("credential helper %s gave no answer for %s within %v: check it (e.g. an unlocked keychain), or log in again with docker login %s", program, host, timeout, host)
	case err != nil:
		return orasauth.EmptyCredential, fmt.Errorf("get credentials for %s from credential helper %s: %w", host, program, err)
	}
	if creds.Username == "<token>" {
		return orasauth.Credential{RefreshToken: creds.Secret}, nil
	}
	return orasauth.Credential{Username: creds.Username, Password: creds.Secret}, nil
}

// fromFile returns key's entry in the config's auths.
func (r Resolver) fromFile(key string) orasauth.Credential {
	ac := r.Docker.AuthConfigs[key]
	return orasauth.Credential{Username: ac.Username, Password: ac.Password, RefreshToken: ac.IdentityToken, AccessToken: ac.RegistryToken}
}

// commandFunc runs a credential helper bound to ctx.
func commandFunc(ctx context.Context, program string) client.ProgramFunc {
	return func(args ...string) client.Program {
		return &helperCommand{cmd: exec.CommandContext(ctx, program, args...)}
	}
}

// helperCommand is a client.Program that ctx can stop.
type helperCommand struct {
	cmd *exec.Cmd
}

// Output runs the helper and returns its standard output.
func (h *helperCommand) Output() ([]byte, error) {
	h.cmd.WaitDelay = time.Second
	return h.cmd.Output()
}

// Input sets the helper's standard input.
func (h *helperCommand) Input(in io.Reader) {
	h.cmd.Stdin = in
}
