package layout

import (
	"context"
	"crypto/rand"
	"os"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// benchBlobSize is a typical base layer (distroless/static is ~2 MB, a
// debian-slim layer ~30 MB).
const benchBlobSize = 32 << 20

// BenchmarkExistsVerifies measures what verifying a blob on reuse costs:
// compare it with BenchmarkStatOnly, what Exists did before.
//
//	go test ./layout -run '^$' -bench 'ExistsVerifies|StatOnly' -benchtime 20x
func BenchmarkExistsVerifies(b *testing.B) {
	l, desc := benchLayout(b)
	ctx := context.Background()
	b.SetBytes(desc.Size)
	for b.Loop() {
		if ok, err := l.Exists(ctx, desc); !ok || err != nil {
			b.Fatalf("Exists = %v, %v", ok, err)
		}
	}
}

func BenchmarkStatOnly(b *testing.B) {
	l, desc := benchLayout(b)
	path := entryPath(l.Dir(), "blob", desc)
	for b.Loop() {
		if info, err := os.Stat(path); err != nil || info.Size() != desc.Size {
			b.Fatalf("stat: %v", err)
		}
	}
}

func benchLayout(b *testing.B) (*Layout, ocispec.Descriptor) {
	b.Helper()
	l, err := Create(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, benchBlobSize)
	_, _ = rand.Read(data)
	desc, err := l.WriteBlob(context.Background(), "application/octet-stream", data)
	if err != nil {
		b.Fatal(err)
	}
	return l, desc
}
