package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newKrustCommand returns the krust command with its subcommands; the
// plugin and the standalone binary share it.
func newKrustCommand(env *environment) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "krust",
		Short: "Build Rust projects into OCI images without a Dockerfile",
		Long: "krust builds a Cargo project into a static executable, layers it on a base image\n" +
			"and writes an OCI image layout. The image reference is the only thing printed on stdout.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	cmd.SetVersionTemplate(versionText())
	cmd.SetOut(env.stdout)
	cmd.AddCommand(newBuildCommand(env), newPushCommand(env), newGCCommand(env), newVersionCommand(env))
	handleUnknown(cmd)
	return cmd
}

func newVersionCommand(env *environment) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the Go version and the commit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(env.stdout, versionText())
			return err
		},
	}
}
