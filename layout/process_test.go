package layout

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// TestTagHelperProcess is run as a child process by TestTagMultiProcess.
func TestTagHelperProcess(t *testing.T) {
	dir, tag := os.Getenv("LAYOUT_HELPER_DIR"), os.Getenv("LAYOUT_HELPER_TAG")
	if dir == "" {
		t.Skip("helper process only")
	}
	l, err := Create(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := l.WriteBlob(context.Background(), "application/octet-stream", []byte("shared"))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Tag(context.Background(), desc, tag); err != nil {
		t.Fatal(err)
	}
}

func TestTagMultiProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir() + "/layout"
	cmds := make([]*exec.Cmd, 6)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestTagHelperProcess$")
		cmds[i].Env = append(os.Environ(), "LAYOUT_HELPER_DIR="+dir, fmt.Sprintf("LAYOUT_HELPER_TAG=p%d", i))
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("process %d: %v", i, err)
		}
	}
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cmds {
		if _, err := l.Resolve(context.Background(), fmt.Sprintf("p%d", i)); err != nil {
			t.Errorf("tag p%d lost: %v", i, err)
		}
	}
}
