package main

import (
	"runtime/debug"
	"testing"
)

func TestCommitOf(t *testing.T) {
	info := func(settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	tests := []struct {
		name, linked string
		bi           *debug.BuildInfo
		want         string
	}{
		{"linked by the Makefile", "v1.2.3-4-gabc", info("vcs.revision", "ffff"), "v1.2.3-4-gabc"},
		{"stamped by go build", "", info("vcs.revision", "9940a5f7", "vcs.modified", "false"), "9940a5f7"},
		{"dirty tree", "", info("vcs.revision", "9940a5f7", "vcs.modified", "true"), "9940a5f7 (modified)"},
		{"no stamp", "", info("-buildvcs", "false"), "unknown (built without version control information)"},
		{"no build info", "", nil, "unknown (built without version control information)"},
	}
	for _, tt := range tests {
		if got := commitOf(tt.linked, tt.bi); got != tt.want {
			t.Errorf("%s: commitOf = %q, want %q", tt.name, got, tt.want)
		}
	}
}
