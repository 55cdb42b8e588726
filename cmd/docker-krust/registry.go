package main

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/docker-krust/docker-krust/auth"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/pflag"
)

// registryFlags are the flags of commands that talk to registries.
type registryFlags struct {
	insecure []string
	verbose  bool
	timeout  time.Duration
}

func (r *registryFlags) register(fl *pflag.FlagSet) {
	fl.StringArrayVar(&r.insecure, "insecure-registry", nil, "allow plain HTTP or unverified TLS for this registry host (repeatable)")
	fl.BoolVarP(&r.verbose, "verbose", "v", false, "print more detail on stderr (never credentials)")
	fl.DurationVar(&r.timeout, "timeout", 10*time.Minute, "give up a base pull or a push (retries included) after this long")
}

// client returns a registry client using the user's credentials: the krust
// config's first, then Docker's.
func (r *registryFlags) client(env *environment, cfg *config.Config) (*remote.Client, error) {
	docker, err := env.dockerConfig()
	if err != nil {
		return nil, err
	}
	insecure := append(append([]string(nil), r.insecure...), cfg.InsecureRegistries...)
	opts := remote.Options{
		Credential: auth.Resolver{Krust: cfg, Docker: docker, Warn: env.stderr}.Credential,
		Insecure: func(host string) bool {
			for _, h := range insecure {
				if strings.EqualFold(h, host) {
					return true
				}
			}
			return false
		},
		CertDirs:  []string{filepath.Join(env.dockerConfigDir(), "certs.d"), "/etc/docker/certs.d"},
		Log:       env.stderr,
		Progress:  newProgress(env.stderr).show,
		UserAgent: "docker-krust/" + version,
		Timeout:   r.timeout,
	}
	if r.verbose {
		opts.Debug = env.stderr
	}
	return remote.New(opts), nil
}

// puller gives a build's layout to remote, which takes any oras
// content.Storage; it is the build's Puller.
type puller struct{ *remote.Client }

// PullBase pulls ref's image for platform into store.
func (p puller) PullBase(ctx context.Context, ref string, platform ocispec.Platform, store *layout.Layout) (remote.Base, error) {
	return p.Client.PullBase(ctx, ref, platform, store)
}
