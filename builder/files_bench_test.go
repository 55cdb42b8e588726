package builder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/oci"
)

// BenchmarkFilesLayer walks a tree of n small files and hashes its layer
// (what a rebuild with unchanged files costs): the time per file must
// stay flat from 1,000 to 10,000 files (ATTACK.md class 5).
func BenchmarkFilesLayer(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		dir := b.TempDir()
		for i := range n {
			d := filepath.Join(dir, "tree", fmt.Sprintf("d%d", i/500))
			if err := os.MkdirAll(d, 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("f%d", i)), []byte(fmt.Sprintf("asset %d\n", i)), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		specs := []config.FileSpec{{From: "tree", To: "/srv/tree"}}
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			for b.Loop() {
				src, err := filesLayer(context.Background(), specs, filesDirs{dir, dir, ""}, []string{"svc"})
				if err != nil {
					b.Fatal(err)
				}
				opened, err := src.open()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := oci.DiffID(opened.files, time.Unix(0, 0)); err != nil {
					b.Fatal(err)
				}
				opened.Close()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/file")
		})
	}
}
