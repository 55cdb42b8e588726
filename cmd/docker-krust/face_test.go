package main

import (
	"bytes"
	"runtime/debug"
	"strings"
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

func TestRootRefusesUnknownCommands(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
		wantOut string
	}{
		{[]string{"buidl"}, "unknown command \"buidl\" for \"krust\"\n\nDid you mean this?\n\tbuild", ""},
		{[]string{"xyzzy"}, `unknown command "xyzzy"`, ""},
		{[]string{"help", "buidl"}, "Did you mean this?\n\tbuild", ""},
		{[]string{"help", "build"}, "", "--oci-layout"},
		{[]string{"--version"}, "", "go: go"},
		{[]string{}, "", "Available Commands"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			env := testEnv(nil)
			env.stdout, env.face = &out, "krust"
			cmd := newKrustCommand(env)
			cmd.SetArgs(tt.args)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || out.Len() != 0 {
					t.Fatalf("error %v, stdout %q; want an error saying %q and no output", err, out.String(), tt.wantErr)
				}
				return
			}
			if err != nil || !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("error %v, stdout %q, want %q", err, out.String(), tt.wantOut)
			}
		})
	}
}

func TestCompletePlatforms(t *testing.T) {
	tests := []struct {
		typed string
		want  string
	}{
		{"", "linux/amd64 linux/arm64 linux/arm/v7 all"},
		{"linux/a", "linux/amd64 linux/arm64 linux/arm/v7 all"}, // the shell filters by prefix
		{"linux/arm64,", "linux/arm64,linux/amd64 linux/arm64,linux/arm/v7"},
		{"linux/arm64,linux/amd64,l", "linux/arm64,linux/amd64,linux/arm/v7"},
	}
	for _, tt := range tests {
		got, _ := completePlatforms(nil, nil, tt.typed)
		if strings.Join(got, " ") != tt.want {
			t.Errorf("completePlatforms(%q) = %q, want %q", tt.typed, got, tt.want)
		}
	}
}
