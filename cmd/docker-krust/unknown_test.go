package main

import (
	"bytes"
	"strings"
	"testing"
)

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
