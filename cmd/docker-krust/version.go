package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// commit is set at link time by the Makefile; empty means the VCS stamp Go
// put in the binary, if any.
var commit = ""

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
