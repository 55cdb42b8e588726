package main

import (
	"fmt"
	"io"
	"os"

	"github.com/docker-krust/docker-krust/internal/human"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/docker-krust/docker-krust/remote"
)

// progress shows remote's events on stderr: on a terminal a live line per
// blob being pushed, elsewhere a line when it starts and one when it is
// done; a line per blob pulled; and a summary of the push.
type progress struct {
	w    io.Writer
	live bool
}

// newProgress returns the renderer for w, live when w is a terminal.
func newProgress(w io.Writer) *progress {
	return &progress{w: w, live: isTerminal(w)}
}

// show renders one event; remote calls it one event at a time.
func (p *progress) show(e remote.Event) {
	if e.Direction == remote.Pull {
		p.showPull(e)
		return
	}
	name := oci.KindOf(e.Blob.MediaType).String() + " " + remote.ShortDigest(e.Blob.Digest)
	switch e.Kind {
	case remote.BlobStarted:
		if !p.live {
			fmt.Fprintf(p.w, "pushing %s (%s)\n", name, human.Bytes(e.Blob.Size))
		}
	case remote.BlobProgress:
		if p.live {
			fmt.Fprintf(p.w, "\rpushing %s %s / %s ", name, human.Bytes(e.Bytes), human.Bytes(e.Blob.Size))
			if e.Bytes >= e.Blob.Size {
				fmt.Fprintln(p.w) // all read: the line stays, the next starts below
			}
		}
	case remote.BlobDone:
		// On a terminal a blob's live line says it all; manifests have none.
		if !p.live || oci.KindOf(e.Blob.MediaType).IsDocument() {
			fmt.Fprintf(p.w, "pushed %s (%s)\n", name, human.Bytes(e.Bytes))
		}
	case remote.BlobSkipped:
		fmt.Fprintf(p.w, "%s already in the registry\n", name)
	case remote.BlobMounted:
		fmt.Fprintf(p.w, "mounted %s\n", name)
	case remote.Finished:
		s := e.Summary
		fmt.Fprintf(p.w, "pushed %s: %d uploaded (%s), %d already there, %d mounted\n",
			s.Reference, s.Copied, human.Bytes(s.Bytes), s.Skipped, s.Mounted)
	}
}

// showPull prints a line per config or layer stored; what was there
// already, the manifest and the summary go unsaid, as a build goes on.
func (p *progress) showPull(e remote.Event) {
	if e.Kind == remote.BlobDone && !oci.KindOf(e.Blob.MediaType).IsDocument() {
		fmt.Fprintf(p.w, "pulled %s %s (%s)\n", oci.KindOf(e.Blob.MediaType).String(), remote.ShortDigest(e.Blob.Digest), human.Bytes(e.Bytes))
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
