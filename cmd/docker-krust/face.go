package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/config"
	"github.com/spf13/cobra"
)

// commit is set at link time by the Makefile; empty means the VCS stamp Go
// put in the binary, if any.
var commit = ""

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

// versionText is what `version` and `--version` print.
func versionText() string {
	return fmt.Sprintf("docker-krust %s\ngo: %s\ncommit: %s\n", version, runtime.Version(), commitOf(commit, buildInfo()))
}

func buildInfo() *debug.BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return bi
}

// commitOf returns the commit the binary was built from: the linked-in one,
// else Go's VCS stamp (with "(modified)" for a dirty tree), else "unknown".
func commitOf(linked string, bi *debug.BuildInfo) string {
	if linked != "" {
		return linked
	}
	var rev, modified string
	if bi != nil {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
	}
	switch {
	case rev == "":
		return "unknown (built without version control information)"
	case modified == "true":
		return rev + " (modified)"
	}
	return rev
}

// registerCompletions offers values for the build flags that have a fixed
// set of them.
func registerCompletions(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("platform", completePlatforms)
	_ = cmd.RegisterFlagCompletionFunc("libc", cobra.FixedCompletions(
		[]cobra.Completion{string(cargo.Musl), string(cargo.Glibc)}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("sbom", cobra.FixedCompletions(config.SBOMFormats(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("provenance", cobra.FixedCompletions(config.ProvenanceModes(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagDirname("sbom-dir")
}

// completePlatforms completes a comma-separated list of platforms: each
// supported one not listed yet, after what is already typed; or "all".
func completePlatforms(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	prefix := ""
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		prefix = toComplete[:i+1]
	}
	listed := strings.Split(strings.TrimSuffix(prefix, ","), ",")
	var out []cobra.Completion
	for _, p := range cargo.SupportedPlatforms() {
		if !slices.Contains(listed, p) {
			out = append(out, prefix+p)
		}
	}
	if prefix == "" {
		out = append(out, "all")
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
