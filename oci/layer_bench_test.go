package oci

import (
	stdgzip "compress/gzip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	kgzip "github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"
)

// benchInputSize is the size of the executable the benchmarks package,
// the 100 MiB.
const benchInputSize = 100 << 20

// benchInput returns a file of benchInputSize bytes to compress: the file
// KRUST_BENCH_INPUT names (make bench passes a real Rust executable),
// else this test binary repeated, machine code that compresses about as a
// static Rust executable does.
func benchInput(b *testing.B) (string, int64) {
	b.Helper()
	if p := os.Getenv("KRUST_BENCH_INPUT"); p != "" {
		info, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		return p, info.Size()
	}
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	exe, err := os.ReadFile(self)
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(b.TempDir(), "input")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	for n := 0; n < benchInputSize; n += len(exe) {
		if _, err := f.Write(exe[:min(len(exe), benchInputSize-n)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return p, benchInputSize
}

// BenchmarkCompressors compares the compressors krust could use on the
// same input, compression alone: ns/op is the time, "ratio" the
// compressed size over the input's. stdlib gzip level 1 is what crane
// append writes (go-containerregistry's default, gzip.BestSpeed).
func BenchmarkCompressors(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	candidates := []struct {
		name string
		new  func(io.Writer) (io.WriteCloser, error)
	}{
		{"stdlib-gzip-6", func(w io.Writer) (io.WriteCloser, error) { return stdgzip.NewWriterLevel(w, 6) }},
		{"stdlib-gzip-1-crane", func(w io.Writer) (io.WriteCloser, error) { return stdgzip.NewWriterLevel(w, 1) }},
		{"klauspost-gzip-6", func(w io.Writer) (io.WriteCloser, error) { return kgzip.NewWriterLevel(w, 6) }},
		{"pgzip-9", pgzipLevel(9)},
		{"pgzip-7", pgzipLevel(7)},
		{"pgzip-6", pgzipLevel(6)},
		{"pgzip-5", pgzipLevel(5)},
		{"pgzip-4", pgzipLevel(4)},
		{"pgzip-3", pgzipLevel(3)},
		{"pgzip-2", pgzipLevel(2)},
		{"pgzip-1", pgzipLevel(1)},
		{"zstd-default-stream", func(w io.Writer) (io.WriteCloser, error) {
			return zstd.NewWriter(w, zstd.WithEncoderConcurrency(2))
		}},
		{"zstd-default-jobs", func(w io.Writer) (io.WriteCloser, error) {
			return zstd.NewWriter(w, zstd.WithEncoderConcurrency(procs), zstd.WithConcurrentBlocks(true))
		}},
		{"krust-gzip", Gzip.newCompressor},
		{"krust-zstd", Zstd.newCompressor},
	}
	input, size := benchInput(b)
	for _, c := range candidates {
		b.Run(c.name, func(b *testing.B) {
			var out byteCounter
			b.SetBytes(size)
			for b.Loop() {
				out.n = 0
				compressFile(b, input, &out, c.new)
			}
			b.ReportMetric(float64(out.n)/float64(size), "ratio")
		})
	}
}

// BenchmarkWriteLayer measures what packaging costs: tar, compression,
// both digests and the write of the blob, in one pass.
func BenchmarkWriteLayer(b *testing.B) {
	input, size := benchInput(b)
	for _, c := range []Compression{Gzip, Zstd} {
		b.Run(string(c), func(b *testing.B) {
			b.SetBytes(size)
			var layer Layer
			for b.Loop() {
				f, err := os.Open(input)
				if err != nil {
					b.Fatal(err)
				}
				blob, err := os.Create(filepath.Join(b.TempDir(), "blob"))
				if err != nil {
					b.Fatal(err)
				}
				file := File{Path: "app/bin", Mode: 0o755, Size: size, Content: f}
				layer, err = WriteLayerCompressed(blob, []File{file}, time.Unix(0, 0), c)
				f.Close()
				blob.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(layer.Descriptor.Size)/float64(size), "ratio")
		})
	}
}

func pgzipLevel(level int) func(io.Writer) (io.WriteCloser, error) {
	return func(w io.Writer) (io.WriteCloser, error) { return pgzip.NewWriterLevel(w, level) }
}

func compressFile(b *testing.B, input string, w io.Writer, newWriter func(io.Writer) (io.WriteCloser, error)) {
	b.Helper()
	f, err := os.Open(input)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zw, err := newWriter(w)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(zw, f); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
}

// byteCounter counts what is written to it, and discards it.
type byteCounter struct{ n int64 }

func (c *byteCounter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
