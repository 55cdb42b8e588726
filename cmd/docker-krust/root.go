package main

import (
	"fmt"

	"github.com/docker-krust/docker-krust/internal/flock"
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
	cmd.AddCommand(explained(env, needLocks(newBuildCommand(env), newPushCommand(env), newGCCommand(env), newResolveCommand(env), newApplyCommand(env), newVerifyCommand(env))...)...)
	cmd.AddCommand(newDeleteCommand(env), newVersionCommand(env))
	handleUnknown(cmd)
	return cmd
}

// needLocks makes commands that write or read OCI layouts fail first thing,
// before cargo or a registry is asked anything, on a system where layouts
// cannot be locked (flock.ErrUnsupported: not unix, e.g. Windows).
func needLocks(cmds ...*cobra.Command) []*cobra.Command {
	for _, c := range cmds {
		run := c.RunE
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if err := flock.Supported(); err != nil {
				return err
			}
			return run(cmd, args)
		}
	}
	return cmds
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
