package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/testregistry"
)

func TestPushThroughAFlakyRegistry(t *testing.T) {
	requireTool(t, "cargo")
	reg := testregistry.Start(t, testregistry.Options{})
	project := copyExample(t, t.TempDir())
	env := isolatedEnv(t)
	layoutRef := strings.TrimSpace(krust(t, project, env, glibcScratch...).stdout)

	tests := []struct {
		name  string
		fault testregistry.Fault
	}{
		{"every third request answers 503", testregistry.Every(3, testregistry.Fault503)},
		{"the first two uploads are cut off", testregistry.OnPath("/blobs/uploads/", testregistry.FaultReset, 2)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy := testregistry.StartProxy(t, reg.URL(), "", tt.fault)
			repo := proxy.Host + "/flaky" + string(rune('a'+i))
			res := krust(t, "", env, "push", layoutRef, repo+":v1")
			pushedRef(t, res, repo)
			faults := 0
			for _, r := range proxy.Requests() {
				if r.Fault != "" {
					faults++
				}
			}
			if faults == 0 {
				t.Errorf("no fault was injected; the test proves nothing")
			}
		})
	}
	t.Run("a registry that always fails gives up in bounded time", func(t *testing.T) {
		proxy := testregistry.StartProxy(t, reg.URL(), "", testregistry.Always(testregistry.Fault503))
		start := time.Now()
		res := krust(t, "", env, "push", layoutRef, proxy.Host+"/down:v1")
		assertCleanFailure(t, res, proxy.Host, "503")
		if elapsed := time.Since(start); elapsed > 90*time.Second {
			t.Errorf("gave up after %v, want a bounded number of retries", elapsed)
		}
	})
}
