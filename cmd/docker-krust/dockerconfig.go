package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/docker-krust/docker-krust/internal/regular"
	dockerconfig "github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
)

// loadDockerConfig loads the Docker CLI config of DOCKER_CONFIG or
// ~/.docker, as docker does, once checkDockerConfig has passed it.
func loadDockerConfig() (*configfile.ConfigFile, error) {
	dir := dockerconfig.Dir()
	if err := checkDockerConfig(dir); err != nil {
		return nil, err
	}
	return dockerconfig.Load(dir)
}

// checkDockerConfig refuses a config.json in dir that is not a regular
// file, before docker/cli opens it: its open(2) would wait for ever on a
// named pipe. A missing file is docker's empty config.
func checkDockerConfig(dir string) error {
	path := filepath.Join(dir, dockerconfig.ConfigFileName)
	err := regular.Check(path)
	switch {
	case err == nil, errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.Is(err, regular.ErrNotRegular):
		return fmt.Errorf("Docker config: %w; replace it with docker's config file (or remove it), or point DOCKER_CONFIG at another directory", err)
	}
	return fmt.Errorf("Docker config: %w", err)
}
