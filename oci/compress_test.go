package oci

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// coreInput is an executable-like input of several compression blocks
// (pgzip cuts at gzipBlockSize), not a multiple of the block size, mixing
// repetitive and random bytes as machine code does.
func coreInput() []File {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	for b.Len() < 5*gzipBlockSize+12345 {
		if rng.IntN(3) == 0 {
			for range 64 {
				b.WriteByte(byte(rng.Uint32()))
			}
		} else {
			fmt.Fprintf(&b, "mov r%d, [rsp+%d]; call fn_%d\n", rng.IntN(16), rng.IntN(256), rng.IntN(500))
		}
	}
	data := b.Bytes()
	return []File{
		{Path: "app/big", Mode: 0o755, Size: int64(len(data)), Content: bytes.NewReader(data)},
		{Path: "app/small", Size: 5, Content: strings.NewReader("small")},
	}
}

// coreDigests writes coreInput's layer with every compression and returns
// one line per compression: its name, digest, size and diff ID.
func coreDigests(t *testing.T) string {
	var out strings.Builder
	for _, c := range []Compression{Gzip, Zstd} {
		l, err := WriteLayerCompressed(io.Discard, coreInput(), layerTime, c)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		fmt.Fprintf(&out, "%s %s %d %s\n", c, l.Descriptor.Digest, l.Descriptor.Size, l.DiffID)
	}
	return out.String()
}

// TestCoreDigestsHelper prints coreDigests for TestLayerDigestIndependentOfCores's
// subprocesses.
func TestCoreDigestsHelper(t *testing.T) {
	if os.Getenv("KRUST_CORE_DIGESTS_HELPER") != "1" {
		t.Skip("run by TestLayerDigestIndependentOfCores")
	}
	fmt.Print("digests:\n" + coreDigests(t))
}

// The compression is parallel, but the layer's bytes must not depend on
// it: pinned to one core with GOMAXPROCS=1, and with more goroutines than
// cores, the digests are those of this process.
func TestLayerDigestIndependentOfCores(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	want := coreDigests(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	taskset, tasksetErr := exec.LookPath("taskset")
	tests := []struct {
		name       string
		gomaxprocs string
		oneCore    bool
	}{
		{"one core, GOMAXPROCS=1", "1", true},
		{"GOMAXPROCS=2", "2", false},
		{"GOMAXPROCS=16", "16", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{exe, "-test.run=^TestCoreDigestsHelper$", "-test.count=1"}
			if tt.oneCore {
				if tasksetErr != nil {
					t.Fatalf("taskset (util-linux) is needed to pin the test to one core: %v", tasksetErr)
				}
				args = append([]string{taskset, "-c", "0"}, args...)
			}
			cmd := exec.CommandContext(t.Context(), args[0], args[1:]...)
			cmd.Env = append(os.Environ(), "KRUST_CORE_DIGESTS_HELPER=1", "GOMAXPROCS="+tt.gomaxprocs)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %v\n%s", args, err, out)
			}
			_, got, ok := strings.Cut(string(out), "digests:\n")
			if !ok {
				t.Fatalf("no digests in the helper's output:\n%s", out)
			}
			got, _, _ = strings.Cut(got, "PASS")
			if got != want {
				t.Errorf("digests under %s:\n%s\nwant (default GOMAXPROCS):\n%s", tt.name, got, want)
			}
		})
	}
}

// The bytes are pinned: a new library version or setting that changes
// them must change the Fingerprint too (a layer cache keys on it), and
// the README's note that digests changed.
func TestWriteLayerPinnedDigests(t *testing.T) {
	got := coreDigests(t)
	want := "" +
		"gzip sha256:fecea630b6028e5043f912aea2cd7b59929c299024d011eb277895c456af51fa 3409026 sha256:3bedc667314ad03a2ad2054e463f82a37ce8815c538e4338ba7e91dff2646576\n" +
		"zstd sha256:e3618286590a1ca0fffb75b972d0a6965f1e5220da70d5da9f9fa28786e7b48e 3330361 sha256:3bedc667314ad03a2ad2054e463f82a37ce8815c538e4338ba7e91dff2646576\n"
	if got != want {
		t.Errorf("layer digests changed:\n%s\nwant:\n%s\nIf this is intended, change Compression.Fingerprint and say so in the README's Reproducibility section.", got, want)
	}
}

func TestWriteLayerZstd(t *testing.T) {
	files := []testFile{{"app/hello", 0o755, strings.Repeat("hello zstd ", 5000)}, {"etc/x", 0, "x"}}
	var buf bytes.Buffer
	l, err := WriteLayerCompressed(&buf, toFiles(files), layerTime, Zstd)
	if err != nil {
		t.Fatal(err)
	}
	blob := buf.Bytes()
	if l.Descriptor.MediaType != ocispec.MediaTypeImageLayerZstd {
		t.Errorf("media type %s, want %s", l.Descriptor.MediaType, ocispec.MediaTypeImageLayerZstd)
	}
	if l.Descriptor.Digest != sha256Digest(blob) || l.Descriptor.Size != int64(len(blob)) {
		t.Errorf("descriptor %+v does not describe the %d bytes written", l.Descriptor, len(blob))
	}
	if _, err := gzip.NewReader(bytes.NewReader(blob)); err == nil {
		t.Error("the zstd layer reads as gzip")
	}
	zr, err := zstd.NewReader(bytes.NewReader(blob))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("unzstd: %v", err)
	}
	if l.DiffID != sha256Digest(raw) {
		t.Errorf("diff ID %s, want the uncompressed stream's %s", l.DiffID, sha256Digest(raw))
	}
	tr := tar.NewReader(bytes.NewReader(raw))
	var names []string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
	}
	if got := strings.Join(names, " "); got != "app/ app/hello etc/ etc/x" {
		t.Errorf("entries %q", got)
	}
}

func TestParseCompression(t *testing.T) {
	tests := []struct {
		in        string
		want      Compression
		mediaType string
		wantErr   bool
	}{
		{"", Gzip, ocispec.MediaTypeImageLayerGzip, false},
		{"gzip", Gzip, ocispec.MediaTypeImageLayerGzip, false},
		{"zstd", Zstd, ocispec.MediaTypeImageLayerZstd, false},
		{"GZIP", "", "", true},
		{"lz4", "", "", true},
		{"zstd:chunked", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCompression(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrUnknownCompression) || !strings.Contains(err.Error(), "use gzip") {
					t.Errorf("ParseCompression(%q) = %q, %v; want ErrUnknownCompression naming the choices", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want || got.MediaType() != tt.mediaType {
				t.Errorf("ParseCompression(%q) = %q (%s), %v; want %q (%s)", tt.in, got, got.MediaType(), err, tt.want, tt.mediaType)
			}
		})
	}
	if Gzip.Fingerprint() == Zstd.Fingerprint() {
		t.Error("gzip and zstd share a fingerprint")
	}
	if _, err := WriteLayerCompressed(io.Discard, nil, layerTime, "lz4"); !errors.Is(err, ErrUnknownCompression) {
		t.Errorf("WriteLayerCompressed with lz4: %v, want ErrUnknownCompression", err)
	}
}

// The fingerprint names the versions of the compression libraries go.mod
// requires, so that a layer cache keyed on it misses after an update of
// either.
func TestFingerprintNamesTheLibraryVersions(t *testing.T) {
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for c, module := range map[Compression]string{Gzip: "github.com/klauspost/pgzip", Zstd: "github.com/klauspost/compress"} {
		_, rest, ok := strings.Cut(string(gomod), "\t"+module+" ")
		version, _, _ := strings.Cut(rest, "\n")
		version = strings.TrimSuffix(version, " // indirect")
		if !ok || !strings.Contains(c.Fingerprint(), "-"+version+"/") {
			t.Errorf("%s fingerprint %q does not name %s %s, which go.mod requires", c, c.Fingerprint(), module, version)
		}
	}
}
