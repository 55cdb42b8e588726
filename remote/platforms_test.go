package remote

import (
	"context"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestBasePlatforms(t *testing.T) {
	t.Parallel()
	reg := startRegistry(t)
	src := newStore(t)
	idx := writeIndex(t, src, "platforms")
	arm := writeImage(t, src, ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, "single arm")
	c := New(Options{})
	pushIndex(t, c, reg.Host, "multi", "v1", idx)
	pushImage(t, c, reg.Host, "single", arm, "v1")

	tests := []struct {
		ref  string
		want []string
	}{
		{reg.Host + "/multi:v1", []string{"linux/amd64", "linux/arm64/v8"}},
		{reg.Host + "/multi@" + idx.index.Digest.String(), []string{"linux/amd64", "linux/arm64/v8"}},
		{reg.Host + "/single:v1", []string{"linux/arm/v7"}},
	}
	for _, tt := range tests {
		got, err := New(Options{}).BasePlatforms(context.Background(), tt.ref)
		if err != nil {
			t.Errorf("BasePlatforms(%s): %v", tt.ref, err)
			continue
		}
		var names []string
		for _, p := range got {
			names = append(names, oci.PlatformString(p))
		}
		if strings.Join(names, ",") != strings.Join(tt.want, ",") {
			t.Errorf("BasePlatforms(%s) = %v, want %v", tt.ref, names, tt.want)
		}
	}
	if _, err := New(Options{}).BasePlatforms(context.Background(), reg.Host+"/missing:v1"); err == nil {
		t.Error("BasePlatforms of a missing image succeeded")
	}
}
