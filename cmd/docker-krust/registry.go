package main

import (
	"path/filepath"
	"time"

	"github.com/docker-krust/docker-krust/auth"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/remote"
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
	fl.DurationVar(&r.timeout, "timeout", 10*time.Minute, "give up a base pull, a push (retries included) or a --load after this long; a --load also fails once the engine stays silent for a minute")
}

// check refuses flag values that would not do what they say: a timeout
// that is not positive would give up at once.
func (r *registryFlags) check() error { return checkTimeout(r.timeout) }

// client returns a registry client using the user's credentials: the krust
// config's first, then Docker's.
func (r *registryFlags) client(env *environment, cfg *config.Config) (*remote.Client, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	docker, err := env.dockerConfig()
	if err != nil {
		return nil, err
	}
	opts := remote.Options{
		Credential: auth.Resolver{Krust: cfg, Docker: docker, Warn: env.stderr}.Credential,
		Insecure:   config.InsecureHosts(r.insecure, cfg.InsecureRegistries),
		CertDirs:   []string{filepath.Join(env.dockerConfigDir(), "certs.d"), "/etc/docker/certs.d"},
		Log:        env.stderr,
		Progress:   newProgress(env.stderr).show,
		UserAgent:  "docker-krust/" + version,
		Timeout:    r.timeout,
	}
	if r.verbose {
		opts.Debug = env.stderr
	}
	return remote.New(opts), nil
}
