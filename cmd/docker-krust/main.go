// Command docker-krust builds a Cargo project into an OCI image. Installed
// in Docker's cli-plugins folder it runs as `docker krust`; run under the
// name krust it is a standalone tool with the same commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/docker/cli/cli-plugins/metadata"
	"github.com/docker/cli/cli-plugins/plugin"
	"github.com/docker/cli/cli/command"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/spf13/cobra"
)

// version is set at link time by the Makefile.
var version = "dev"

func main() {
	if isPlugin(os.Args) {
		plugin.Run(func(dockerCli command.Cli) *cobra.Command {
			return newKrustCommand(newEnvironment(dockerCli.Out(), dockerCli.Err(), func() (*configfile.ConfigFile, error) {
				return dockerCli.ConfigFile(), nil
			}))
		}, pluginMetadata())
		return
	}
	os.Exit(runStandalone(os.Args[1:]))
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := newEnvironment(os.Stdout, os.Stderr, nil)
	cmd := newKrustCommand(env)
	cmd.SetArgs(args)
	cmd.SetErr(env.stderr)
	if err := cmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(env.stderr, "krust: %v\n", err)
		return 1
	}
	return 0
}
