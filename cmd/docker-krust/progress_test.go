package main

import (
	"bytes"
	"testing"

	"github.com/docker-krust/docker-krust/remote"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestProgressRendering feeds the events of a push and a pull to the
// renderer, as a terminal and as a log, and checks the lines on stderr.
func TestProgressRendering(t *testing.T) {
	layer := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayerGzip, Digest: digest.FromString("layer"), Size: 600 << 10}
	manifest := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromString("manifest"), Size: 500}
	config := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: digest.FromString("config"), Size: 300}
	l, m, c := remote.ShortDigest(layer.Digest), remote.ShortDigest(manifest.Digest), remote.ShortDigest(config.Digest)
	push := []remote.Event{
		{Kind: remote.BlobSkipped, Blob: config},
		{Kind: remote.BlobStarted, Blob: layer},
		{Kind: remote.BlobProgress, Blob: layer, Bytes: 256 << 10},
		{Kind: remote.BlobProgress, Blob: layer, Bytes: 600 << 10},
		{Kind: remote.BlobDone, Blob: layer, Bytes: layer.Size},
		{Kind: remote.BlobMounted, Blob: config},
		{Kind: remote.BlobDone, Blob: manifest, Bytes: manifest.Size},
		{Kind: remote.Finished, Summary: remote.Summary{Reference: "r.example/app@" + manifest.Digest.String(), Copied: 2, Skipped: 1, Mounted: 1, Bytes: layer.Size + manifest.Size}},
	}
	pull := []remote.Event{
		{Kind: remote.BlobSkipped, Blob: config},
		{Kind: remote.BlobStarted, Blob: layer},
		{Kind: remote.BlobProgress, Blob: layer, Bytes: 600 << 10},
		{Kind: remote.BlobDone, Blob: layer, Bytes: layer.Size},
		{Kind: remote.BlobDone, Blob: manifest, Bytes: manifest.Size},
		{Kind: remote.Finished, Summary: remote.Summary{Copied: 2}},
	}
	summary := "pushed r.example/app@" + manifest.Digest.String() + ": 2 uploaded (600.5 kB), 1 already there, 1 mounted\n"
	tests := []struct {
		name   string
		dir    remote.Direction
		events []remote.Event
		live   bool
		want   string
	}{
		{"push to a log", remote.Push, push, false, "config " + c + " already in the registry\n" +
			"pushing layer " + l + " (600.0 kB)\n" +
			"pushed layer " + l + " (600.0 kB)\n" +
			"mounted config " + c + "\n" +
			"pushed manifest " + m + " (500 B)\n" + summary},
		{"push to a terminal", remote.Push, push, true, "config " + c + " already in the registry\n" +
			"\rpushing layer " + l + " 256.0 kB / 600.0 kB \rpushing layer " + l + " 600.0 kB / 600.0 kB \n" +
			"mounted config " + c + "\n" +
			"pushed manifest " + m + " (500 B)\n" + summary},
		{"pull to a log", remote.Pull, pull, false, "pulled layer " + l + " (600.0 kB)\n"},
		{"pull to a terminal", remote.Pull, pull, true, "pulled layer " + l + " (600.0 kB)\n"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		p := &progress{w: &out, live: tt.live}
		for _, e := range tt.events {
			e.Direction = tt.dir
			p.show(e)
		}
		if out.String() != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, out.String(), tt.want)
		}
	}
}

func TestProgressIsLiveOnlyOnATerminal(t *testing.T) {
	if newProgress(&bytes.Buffer{}).live {
		t.Error("a buffer is taken for a terminal")
	}
}
