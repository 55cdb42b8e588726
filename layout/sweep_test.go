package layout

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestOnlyWritersSweepLeftovers: the temp files dead writers left are
// swept away by Create and GC, which write to the layout, and by nothing
// that only reads it: Open leaves a layout krust reads (a --base oci:DIR)
// as it is, and so does gc --dry-run.
func TestOnlyWritersSweepLeftovers(t *testing.T) {
	const (
		oldBlobTemp = "blobs/sha256/.tmp-old"
		newBlobTemp = "blobs/sha256/.tmp-new"
		oldRootTemp = ".tmp-index.json-old"
		newRootTemp = ".tmp-index.json-new"
		notATemp    = "blobs/sha256/keep-old"
	)
	all := []string{oldBlobTemp, newBlobTemp, oldRootTemp, newRootTemp, notATemp}
	tests := []struct {
		name      string
		open      func(t *testing.T, dir string) int // returns the temps GC counted
		gone      []string
		wantTemps int
	}{
		{"Open only reads", func(t *testing.T, dir string) int {
			if _, err := Open(dir); err != nil {
				t.Fatal(err)
			}
			return 0
		}, nil, 0},
		{"Create sweeps old temps", func(t *testing.T, dir string) int {
			if _, err := Create(context.Background(), dir); err != nil {
				t.Fatal(err)
			}
			return 0
		}, []string{oldBlobTemp, oldRootTemp}, 0},
		{"gc --dry-run removes nothing", func(t *testing.T, dir string) int {
			return gcTemps(t, dir, true)
		}, nil, 3},
		{"gc removes blob temps and old temps beside index.json", func(t *testing.T, dir string) int {
			return gcTemps(t, dir, false)
		}, []string{oldBlobTemp, newBlobTemp, oldRootTemp}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newLayout(t).Dir()
			old := time.Now().Add(-2 * leftoverAge)
			for _, name := range all {
				p := filepath.Join(dir, name)
				writeFile(t, p, "x")
				if name != newBlobTemp && name != newRootTemp {
					if err := os.Chtimes(p, old, old); err != nil {
						t.Fatal(err)
					}
				}
			}
			if got := tt.open(t, dir); got != tt.wantTemps {
				t.Errorf("gc counted %d temp files, want %d", got, tt.wantTemps)
			}
			for _, name := range all {
				_, err := os.Stat(filepath.Join(dir, name))
				if want := !slices.Contains(tt.gone, name); (err == nil) != want {
					t.Errorf("%s: exists=%v, want %v", name, err == nil, want)
				}
			}
		})
	}
}

// gcTemps opens dir and runs GC on it, returning the temp files it counted.
func gcTemps(t *testing.T, dir string, dryRun bool) int {
	t.Helper()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.GC(context.Background(), GCOptions{DryRun: dryRun})
	if err != nil {
		t.Fatal(err)
	}
	return res.Temps
}
