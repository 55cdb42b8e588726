package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/docker/cli/cli/command"
	cliflags "github.com/docker/cli/cli/flags"
	"github.com/moby/moby/client"
)

// engine is the Docker Engine of the current Docker context, as the docker
// CLI resolves it, and where that is, for messages.
type engine struct {
	client  client.APIClient
	host    string
	context string
}

// where names the engine for error messages.
func (e *engine) where() string {
	return fmt.Sprintf("Docker Engine at %s (Docker context %q)", e.host, e.context)
}

// engineFromCli takes the engine of an initialised docker CLI: the
// plugin's, which honours `docker --context`, --host and --config.
func engineFromCli(cli command.Cli) (*engine, error) {
	return &engine{client: cli.Client(), host: cli.DockerEndpoint().Host, context: cli.CurrentContext()}, nil
}

// standaloneEngine resolves the engine as the docker CLI does without
// flags: DOCKER_HOST, DOCKER_CONTEXT, then the current context in the
// Docker config.
func standaloneEngine() (*engine, error) {
	cli, err := command.NewDockerCli()
	if err != nil {
		return nil, fmt.Errorf("docker CLI: %w", err)
	}
	if err := cli.Initialize(cliflags.NewClientOptions()); err != nil {
		return nil, fmt.Errorf("docker CLI: resolve the Docker context: %w", err)
	}
	return engineFromCli(cli)
}

// loadArchive streams an archive that write produces into the engine's
// image load and reads the engine's answer, which reports failures in
// the stream rather than as an HTTP status.
func (e *engine) loadArchive(ctx context.Context, write func(io.Writer) error) error {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	res, err := e.client.ImageLoad(ctx, pr, client.ImageLoadWithQuiet(true))
	if err != nil {
		pr.CloseWithError(err)
		return fmt.Errorf("load the image into the %s: %w", e.where(), err)
	}
	defer res.Close()
	if err := loadMessages(res); err != nil {
		pr.CloseWithError(err)
		return fmt.Errorf("load the image into the %s: %w", e.where(), err)
	}
	return nil
}

// loadMessages reads the engine's JSON message stream and returns the
// first error it reports.
func loadMessages(r io.Reader) error {
	dec := json.NewDecoder(r)
	for {
		var msg struct {
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		err := dec.Decode(&msg)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read the engine's answer: %w", err)
		}
		if msg.ErrorDetail != nil && msg.ErrorDetail.Message != "" {
			return errors.New(msg.ErrorDetail.Message)
		}
		if msg.Error != "" {
			return errors.New(msg.Error)
		}
	}
}
