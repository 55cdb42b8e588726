package testregistry

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// process is a running registry binary.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result; read it only after done is closed
}

// startProcess runs bin with args in dir, its stdout and stderr going to
// logFile, and REGISTRY_* variables removed from its environment so that
// nothing overrides the configuration file.
func startProcess(bin string, args []string, dir, logFile string) (*process, error) {
	log, err := os.Create(logFile)
	if err != nil {
		return nil, fmt.Errorf("create registry log: %w", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = registryEnv(os.Environ())
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		log.Close()
		close(p.done)
	}()
	return p, nil
}

// stop kills the process and waits for it to exit; it may be called again.
func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill() // fails only if it already exited
	<-p.done
}

// registryEnv returns env without the REGISTRY_* variables that
// docker-registry reads as configuration overrides.
func registryEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "REGISTRY_") {
			out = append(out, kv)
		}
	}
	return out
}
