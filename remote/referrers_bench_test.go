package remote

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
)

// BenchmarkPushReferrers pushes images with n referrers each (SBOMs and
// provenance by turns, all of one subject) to distribution 2.8, which has
// no referrers API, so the referrers tag schema is used. Besides the
// time, it reports per push the writes of the sha256-<hex> index (one,
// or the benchmark fails), the bytes the registry's storage grew by, and
// the time per referrer; all three must not grow with n:
//
//	go test ./remote -run '^$' -bench BenchmarkPushReferrers -benchtime 3x -timeout 20m
func BenchmarkPushReferrers(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("referrers=%d", n), func(b *testing.B) {
			reg := testregistry.Start(b, testregistry.Options{NoDelete: true})
			proxy := testregistry.StartProxy(b, reg.URL(), "", nil)
			target := mustNamed(b, strings.TrimPrefix(proxy.URL(), "http://")+"/bench/app")
			c := New(Options{})
			before := storedBytes(b, filepath.Join(reg.Dir, "data"))
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				store := newStore(b)
				img := writeImage(b, store, linuxAmd64, fmt.Sprintf("bench %d of %d", i, n))
				refs := manyReferrers(b, store, img.manifest, "bench", n)
				b.StartTimer()
				res, err := c.Push(context.Background(), store, img.manifest, target, PushOptions{Referrers: refs})
				if err != nil || res.Referrers != n {
					b.Fatalf("push %d: %+v, %v", i, res, err)
				}
			}
			b.StopTimer()
			writes := proxy.Count(http.MethodPut, "/manifests/sha256-")
			if writes != b.N {
				b.Errorf("%d pushes wrote the referrers index %d times, want once each", b.N, writes)
			}
			grown := storedBytes(b, filepath.Join(reg.Dir, "data")) - before
			b.ReportMetric(float64(writes)/float64(b.N), "index-writes/op")
			b.ReportMetric(float64(grown)/float64(b.N), "stored-B/op")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/referrer")
		})
	}
}

// storedBytes sums the sizes of the files under dir.
func storedBytes(b *testing.B, dir string) int64 {
	b.Helper()
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil && !strings.Contains(err.Error(), "no such file") {
		b.Fatal(err)
	}
	return total
}
