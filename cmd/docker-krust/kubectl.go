package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/docker-krust/docker-krust/internal/procgroup"
	"github.com/docker-krust/docker-krust/resolve"
	"github.com/docker/cli/cli"
	"github.com/spf13/cobra"
)

func newApplyCommand(env *environment) *cobra.Command {
	var f resolveFlags
	cmd := &cobra.Command{
		Use:   "apply -f FILE|DIR|- [-f ...] [-R] [-- KUBECTL_ARGS...]",
		Short: "Resolve Kubernetes YAML (see resolve), then kubectl apply it",
		Long: "Do what resolve does, then hand the YAML to `kubectl apply -f -` (kubectl from\n" +
			"KUBECTL, or on PATH), with the arguments after -- (--context, -n, --dry-run=server,\n" +
			"...) and KUBECONFIG as kubectl reads them. kubectl's output and exit status are\n" +
			"passed through. If any build or push fails, kubectl is not run. --timeout bounds\n" +
			"kubectl too.",
		Example: strings.ReplaceAll("  KRUST_REPO=registry.example.com/team FACE apply -f deploy/ -- --context staging", "FACE", env.face),
		RunE: func(cmd *cobra.Command, args []string) error {
			kubectlArgs, err := afterDash(cmd, args)
			if err != nil {
				return err
			}
			program, err := kubectlProgram(env, "apply")
			if err != nil {
				return err
			}
			yaml, err := f.resolve(cmd.Context(), env, cmd)
			if err != nil {
				return err
			}
			return kubectl(cmd.Context(), env, program, "apply", bytes.NewReader(yaml), kubectlArgs, f.build.registry.timeout)
		},
	}
	f.registerAll(cmd)
	return cmd
}

func newDeleteCommand(env *environment) *cobra.Command {
	var f resolveFlags
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "delete -f FILE|DIR|- [-f ...] [-R] [-- KUBECTL_ARGS...]",
		Short: "kubectl delete the objects of Kubernetes YAML, building nothing",
		Long: "Hand the YAML -f names to `kubectl delete -f -` (kubectl from KUBECTL, or on\n" +
			"PATH), with the arguments after --, as it is: objects are deleted by kind and name,\n" +
			"so krust:// references need no image. kubectl's output and exit status are passed\n" +
			"through.",
		RunE: func(cmd *cobra.Command, args []string) error {
			kubectlArgs, err := afterDash(cmd, args)
			if err != nil {
				return err
			}
			if len(f.files) == 0 {
				return errNoInput
			}
			if err := checkTimeout(timeout); err != nil {
				return err
			}
			program, err := kubectlProgram(env, "delete")
			if err != nil {
				return err
			}
			sources, err := f.read(cmd.Context(), env)
			if err != nil {
				return err
			}
			return kubectl(cmd.Context(), env, program, "delete", bytes.NewReader(resolve.Join(sources)), kubectlArgs, timeout)
		},
	}
	f.registerFiles(cmd.Flags())
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Minute, "give up on kubectl after this long")
	return cmd
}

// errNoInput means resolve, apply or delete was given no -f.
var errNoInput = errors.New("no input: name the YAML with -f FILE, -f DIR or -f - for stdin")

func checkTimeout(timeout time.Duration) error {
	if timeout <= 0 {
		return fmt.Errorf("invalid --timeout %v: want a positive duration, e.g. 30s or 10m (the default)", timeout)
	}
	return nil
}

// afterDash returns the arguments after --, which go to kubectl; any
// before it is refused.
func afterDash(cmd *cobra.Command, args []string) ([]string, error) {
	dash := cmd.ArgsLenAtDash()
	if dash < 0 && len(args) > 0 || dash > 0 {
		return nil, fmt.Errorf("%s takes its input from -f, got %q: put kubectl's arguments after --", cmd.Name(), args)
	}
	if dash < 0 {
		return nil, nil
	}
	return args[dash:], nil
}

// kubectlProgram is the kubectl to run: KUBECTL, or kubectl on PATH.
func kubectlProgram(env *environment, verb string) (string, error) {
	program := env.getenv("KUBECTL")
	if program == "" {
		program = "kubectl"
	}
	path, err := exec.LookPath(program)
	if err != nil {
		return "", fmt.Errorf("kubectl, which %s hands the YAML to, is not installed (%w): install it, or set KUBECTL to its path", verb, err)
	}
	return path, nil
}

// kubectl runs `PROGRAM VERB -f - ARGS...` with yaml on its stdin and
// its output on ours; a non-zero exit becomes krust's. kubectl waits for
// a silent API server as long as it is let: timeout ends it, and Ctrl-C,
// with what it started (credential plugins) in its process group.
func kubectl(ctx context.Context, env *environment, program, verb string, yaml io.Reader, args []string, timeout time.Duration) error {
	if err := checkTimeout(timeout); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := procgroup.Command(ctx, 0, program, append([]string{verb, "-f", "-"}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr, cmd.Env = yaml, env.stdout, env.stderr, env.environ()
	err := cmd.Run()
	if err == nil {
		return nil
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("kubectl %s did not finish within %v (--timeout): check that the API server of the current context answers (kubectl cluster-info)", verb, timeout)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && ctx.Err() == nil {
		return cli.StatusError{StatusCode: exit.ExitCode(), Status: fmt.Sprintf("kubectl %s exited with status %d", verb, exit.ExitCode())}
	}
	return fmt.Errorf("kubectl %s: %w", verb, err)
}
