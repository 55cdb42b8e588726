package main

import (
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/spf13/cobra"
)

// registerCompletions offers values for the build flags that have a fixed
// set of them.
func registerCompletions(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("platform", completePlatforms)
	_ = cmd.RegisterFlagCompletionFunc("libc", cobra.FixedCompletions(
		[]cobra.Completion{string(cargo.Musl), string(cargo.Glibc)}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("sbom", cobra.FixedCompletions(formatNames(attest.SBOM), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("provenance", cobra.FixedCompletions(formatNames(attest.Provenance), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagDirname("sbom-dir")
}

// formatNames are the values the document setting s takes, its default
// first.
func formatNames(s attest.Setting) []cobra.Completion {
	var out []cobra.Completion
	for _, f := range attest.Formats(s) {
		out = append(out, string(f))
	}
	return out
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
