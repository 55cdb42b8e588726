// Package auth finds registry credentials where users keep them: the krust
// config file first, then the Docker config the docker CLI uses (auths,
// credsStore, credHelpers, identity tokens), then none (anonymous).
package auth

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/dockerhub"
	"github.com/docker/cli/cli/config/configfile"
	orasauth "oras.land/oras-go/v2/registry/remote/auth"
)

// Resolver looks up credentials by registry host. Either source may be nil.
type Resolver struct {
	// Krust is the krust config; its [registries."HOST"] entries win.
	Krust *config.Config
	// Docker is the Docker CLI config (DOCKER_CONFIG, or docker --config).
	Docker *configfile.ConfigFile
	// HelperTimeout bounds each credential helper call; zero means 30 s.
	HelperTimeout time.Duration
	// Warn receives warnings, such as a configured helper that is not
	// installed; nil discards them.
	Warn io.Writer
}

// Credential returns the credential for host (HOST[:PORT]), in the form
// oras-go's auth.Client asks for. No credential anywhere is not an error:
// the registry is then tried anonymously.
func (r Resolver) Credential(ctx context.Context, host string) (orasauth.Credential, error) {
	if r.Krust != nil {
		for _, name := range krustNames(host) {
			if c, ok := r.Krust.Credential(name); ok {
				return orasauth.Credential{Username: c.Username, Password: c.Password}, nil
			}
		}
	}
	if r.Docker == nil {
		return orasauth.EmptyCredential, nil
	}
	key := r.configKey(host)
	if helper := r.helperFor(key); helper != "" {
		return r.fromHelper(ctx, helper, host, key)
	}
	ac, err := r.Docker.GetAuthConfig(key)
	if err != nil {
		return orasauth.EmptyCredential, fmt.Errorf("get credentials for %s from %s: %w", host, r.Docker.Filename, err)
	}
	return orasauth.Credential{
		Username:     ac.Username,
		Password:     ac.Password,
		RefreshToken: ac.IdentityToken,
		AccessToken:  ac.RegistryToken,
	}, nil
}

// krustNames lists the names a krust config may file host's credentials
// under: the host itself, and for Docker Hub each of its names.
func krustNames(host string) []string {
	if dockerhub.Is(host) {
		return append([]string{host}, dockerhub.Names()...)
	}
	return []string{host}
}

// configKey returns the key the Docker config files host's credentials
// under: DockerConfigKey(host), or failing that a key that differs from it
// only in case (docker login keeps a host as typed, LOCALHOST:5000, and
// host names are not case-sensitive).
func (r Resolver) configKey(host string) string {
	key := DockerConfigKey(host)
	keys := slices.Concat(slices.Collect(maps.Keys(r.Docker.AuthConfigs)), slices.Collect(maps.Keys(r.Docker.CredentialHelpers)))
	if slices.Contains(keys, key) {
		return key
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.EqualFold(k, key) {
			return k
		}
	}
	return key
}

// DockerConfigKey maps a registry host to the key the docker CLI files its
// credentials under: Docker Hub's several host names share one URL key.
func DockerConfigKey(host string) string {
	if dockerhub.Is(host) {
		return dockerhub.ConfigKey
	}
	return host
}
