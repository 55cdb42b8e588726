package main

import (
	"bytes"
	"strings"
	"testing"
)

// apply and delete take kubectl's arguments after -- only, and every
// command of the three refuses what it cannot do before reading input,
// building or running kubectl.
func TestResolveCommandsRefuse(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"apply", "-f", "x.yaml", "extra"}, `apply takes its input from -f, got ["extra"]`},
		{[]string{"delete", "-f", "x.yaml", "extra", "--", "-n", "y"}, "put kubectl's arguments after --"},
		{[]string{"resolve", "extra"}, `unknown command "extra"`},
		{[]string{"resolve"}, "no input: name the YAML with -f FILE"},
		{[]string{"delete"}, "no input: name the YAML with -f FILE"},
		{[]string{"resolve", "-f", "x.yaml", "-p", "api", "--bin", "a", "--no-push"}, "--package does not apply to resolve"},
		{[]string{"apply", "-f", "x.yaml", "--tarball", "t.tar"}, "--tarball does not apply to apply"},
		{[]string{"resolve", "-f", "x.yaml", "-j", "0"}, "-j 0: want at least 1"},
		{[]string{"delete", "-f", "x.yaml", "--timeout", "0s"}, "invalid --timeout 0s"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout bytes.Buffer
			env := testEnv(nil)
			env.stdout = &stdout
			env.stdin = strings.NewReader("kind: ConfigMap\n")
			cmd := newKrustCommand(env)
			cmd.SetArgs(tc.args)
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}
