// Command docker-krust builds a Cargo project into an OCI image. Installed
// in Docker's cli-plugins folder it runs as `docker krust`; run under the
// name krust it is a standalone tool with the same commands.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker/cli/cli-plugins/metadata"
	"github.com/docker/cli/cli-plugins/plugin"
	"github.com/docker/cli/cli/command"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/debug"
	"go.opentelemetry.io/otel"
)

// version is set at link time by the Makefile.
var version = "dev"

func main() {
	if isPlugin(os.Args) {
		os.Exit(runPlugin())
	}
	os.Exit(runStandalone(os.Args[1:]))
}

// runPlugin is docker/cli's plugin.Run, with the signal handling it lacks:
// a context that SIGINT and SIGTERM cancel, and their exit statuses.
func runPlugin() int {
	otel.SetErrorHandler(debug.OTELErrorHandler)
	s := &stopper{plugin: true}
	ctx, stop := s.notify(context.Background(), os.Stderr)
	defer stop()
	dockerCli, err := command.NewDockerCli(command.WithBaseContext(ctx))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	env := newEnvironment(dockerCli.Out(), dockerCli.Err(), func() (*configfile.ConfigFile, error) {
		return dockerCli.ConfigFile(), nil
	})
	env.engine = func() (*engine, error) { return engineFromCli(dockerCli) }
	cmd := newKrustCommand(env)
	setContext(ctx, cmd)
	return s.exit(dockerCli.Err(), "", plugin.RunPlugin(dockerCli, cmd, pluginMetadata()))
}

// isPlugin tells the docker plugin face from the standalone one: docker
// runs plugins as docker-NAME, and the standalone binary is called krust.
func isPlugin(args []string) bool {
	name := filepath.Base(args[0])
	return strings.HasPrefix(name, metadata.NamePrefix) || os.Getenv(metadata.ReexecEnvvar) != ""
}

func pluginMetadata() metadata.Metadata {
	return metadata.Metadata{
		SchemaVersion:    "0.1.0",
		Vendor:           "docker-krust",
		Version:          version,
		ShortDescription: "Build Rust projects into OCI images without a Dockerfile",
	}
}

func runStandalone(args []string) int {
	s := &stopper{}
	ctx, stop := s.notify(context.Background(), os.Stderr)
	defer stop()
	env := newEnvironment(os.Stdout, os.Stderr, nil)
	// Docker's connection check then ends with the build's signals too.
	env.engine = func() (*engine, error) { return standaloneEngine(ctx) }
	cmd := newKrustCommand(env)
	cmd.SetArgs(args)
	cmd.SetErr(env.stderr)
	return s.exit(env.stderr, "krust: ", cmd.ExecuteContext(ctx))
}
