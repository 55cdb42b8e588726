package main

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"github.com/docker-krust/docker-krust/config"
	dockerconfig "github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
)

// environment is what the commands take from the process, gathered in one
// place so that tests can supply their own.
type environment struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// face is how the user runs us, "docker krust" or "krust", for the
	// commands that help texts show.
	face    string
	getenv  func(string) string
	environ func() []string
	// dockerConfig loads the Docker CLI config: the plugin's (which honours
	// `docker --config`) or, standalone, the one in DOCKER_CONFIG or ~/.docker.
	dockerConfig func() (*configfile.ConfigFile, error)
	// engine connects to the Docker Engine, only for --load: the plugin's
	// docker CLI never talks to one unless asked.
	engine func() (*engine, error)
	// sources are where a build's settings came from, once read, for
	// messages that name them (see explainer).
	sources *config.Sources
}

func newEnvironment(stdout, stderr io.Writer, dockerConfig func() (*configfile.ConfigFile, error)) *environment {
	if dockerConfig == nil {
		dockerConfig = loadDockerConfig
	}
	face := "krust"
	if isPlugin(os.Args) {
		face = "docker krust"
	}
	return &environment{stdin: os.Stdin, stdout: stdout, stderr: stderr, face: face, getenv: os.Getenv, environ: os.Environ, dockerConfig: dockerConfig,
		engine: func() (*engine, error) { return standaloneEngine(context.Background()) }}
}

// krustConfig loads the user's krust config file.
func (e *environment) krustConfig() (*config.Config, error) {
	path, err := config.Path(e.getenv)
	if err != nil {
		return nil, err
	}
	return config.Load(path, e.stderr)
}

// dockerConfigDir is where Docker keeps its config, for certs.d.
func (e *environment) dockerConfigDir() string {
	cfg, err := e.dockerConfig()
	if err != nil || cfg.Filename == "" {
		return dockerconfig.Dir()
	}
	return filepath.Dir(cfg.Filename)
}
