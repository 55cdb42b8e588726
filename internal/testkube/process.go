package testkube

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// tailLines is how much of a process's output an error quotes.
const tailLines = 40

// process is a running etcd or kube-apiserver, its stdout and stderr going
// to a log file.
type process struct {
	name string
	log  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result; read it only after done is closed
}

// startProcess runs bin with args in dir in a process group of its own,
// logging to dir/NAME.log, where NAME is bin's base name.
func startProcess(bin string, args []string, dir string) (*process, error) {
	name := filepath.Base(bin)
	p := &process{name: name, log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	log, err := os.Create(p.log)
	if err != nil {
		return nil, fmt.Errorf("create %s log: %w", name, err)
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = log, log
	p.cmd.SysProcAttr = sysProcAttr()
	if err := p.cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		log.Close()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop kills the process's group and waits for the process to exit; it may
// be called again.
func (p *process) stop() {
	if p == nil || p.exited() {
		return
	}
	killGroup(p.cmd.Process)
	<-p.done
}

// exitError describes a process that ended before it was ready.
func (p *process) exitError() error {
	return fmt.Errorf("%s exited before it was ready (%v); the end of its output:\n%s", p.name, p.err, p.tail())
}

// tail returns the last lines of the process's output, or why it cannot.
func (p *process) tail() string {
	data, err := os.ReadFile(p.log)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", p.log, err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > tailLines {
		lines = lines[len(lines)-tailLines:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// portTaken reports whether the process's output says its port was taken
// between choosing it and binding it.
func (p *process) portTaken() bool {
	data, _ := os.ReadFile(p.log) // unreadable: treated as another failure
	return strings.Contains(string(data), "address already in use")
}
