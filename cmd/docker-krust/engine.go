package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/docker/cli/cli/command"
	dockerconfig "github.com/docker/cli/cli/config"
	cliflags "github.com/docker/cli/cli/flags"
	"github.com/moby/moby/client"
)

// engine is the Docker Engine of the current Docker context, as the docker
// CLI resolves it, and where that is, for messages.
type engine struct {
	client  client.APIClient
	host    string
	context string
	// limits bound every wait for the engine; see limitsFor.
	limits waitLimits
}

// bounded sets the limits of the waits for the engine from --timeout.
func (e *engine) bounded(timeout time.Duration) *engine {
	e.limits = limitsFor(timeout)
	return e
}

// where names the engine for error messages.
func (e *engine) where() string {
	return fmt.Sprintf("Docker Engine at %s (Docker context %q)", e.host, e.context)
}

// engineFromCli takes the engine of an initialised docker CLI: the
// plugin's, which honours `docker --context`, --host and --config.
func engineFromCli(cli command.Cli) (*engine, error) {
	return &engine{client: cli.Client(), host: cli.DockerEndpoint().Host, context: cli.CurrentContext(), limits: limitsFor(0)}, nil
}

// standaloneEngine resolves the engine as the docker CLI does without
// flags: DOCKER_HOST, DOCKER_CONTEXT, then the current context in the
// Docker config. ctx ends docker/cli's own connection check (a ping it
// bounds to 2 s).
func standaloneEngine(ctx context.Context) (*engine, error) {
	if err := checkDockerConfig(dockerconfig.Dir()); err != nil {
		return nil, err
	}
	cli, err := command.NewDockerCli(command.WithBaseContext(ctx))
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
// the stream rather than as an HTTP status. The engine must keep taking
// the archive or answering (progress is asked for, so it reports each
// layer it registers) within the silence limit. It returns only once
// write has ended, so nothing reads the layout after it.
func (e *engine) loadArchive(ctx context.Context, write func(io.Writer) error) error {
	err := e.call(ctx, "the image load (POST /images/load)", func(ctx context.Context, w *watchdog) error {
		pr, pw := io.Pipe()
		var writeErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			writeErr = write(pw)
			pw.CloseWithError(writeErr)
		}()
		err := e.load(ctx, kickingReader{pr, w}, w)
		// An engine that stopped reading leaves write blocked: end it.
		pr.CloseWithError(errLoadEnded)
		<-done
		if writeErr != nil && !errors.Is(writeErr, errLoadEnded) && ctx.Err() == nil {
			return fmt.Errorf("write the image archive: %w", writeErr)
		}
		return err
	})
	if err != nil && !stalled(err) {
		return fmt.Errorf("load the image into the %s: %w", e.where(), err)
	}
	return err
}

// errLoadEnded ends the writing of an archive the engine no longer reads.
var errLoadEnded = errors.New("the image load ended")

// load sends body as an image load and reads the answer, kicking w for
// every part of it.
func (e *engine) load(ctx context.Context, body io.Reader, w *watchdog) error {
	res, err := e.client.ImageLoad(ctx, body, client.ImageLoadWithQuiet(false))
	if err != nil {
		return err
	}
	defer res.Close()
	return loadMessages(kickingReader{res, w})
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
