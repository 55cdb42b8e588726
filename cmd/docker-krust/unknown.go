package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// handleUnknown makes the krust command refuse an unknown subcommand with
// cobra's suggestions in both faces. Standalone, cobra does this for the
// root; as a plugin, krust is below docker's root, where cobra only prints
// the help and exits 0.
func handleUnknown(cmd *cobra.Command) {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		return unknownCommand(c, args[0])
	}
	help := &cobra.Command{
		Use:   "help [COMMAND]",
		Short: "Help about any command",
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			var names []string
			for _, sub := range c.Parent().Commands() {
				if sub.IsAvailableCommand() && len(args) == 0 {
					names = append(names, sub.Name())
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			parent := c.Parent()
			target, rest, err := parent.Find(args)
			switch {
			case err != nil:
				return err
			case len(rest) > 0:
				return unknownCommand(target, rest[0])
			}
			return target.Help()
		},
	}
	// SetHelpCommand keeps cobra (standalone, where krust is the root) from
	// adding its own; AddCommand makes it reachable below docker's root.
	cmd.SetHelpCommand(help)
	cmd.AddCommand(help)
}

func unknownCommand(c *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, c.CommandPath())
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2 // cobra's default, applied only for the root
	}
	if s := c.SuggestionsFor(name); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return fmt.Errorf("%s\n\nRun '%s --help' for a list of commands", msg, c.CommandPath())
}
