package main

import (
	"errors"
	"testing"

	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/dockerarchive"
	"github.com/docker-krust/docker-krust/oci"
)

func TestUsesContainerd(t *testing.T) {
	tests := []struct {
		name   string
		status [][2]string
		want   bool
	}{
		{"Engine 20.10, classic store", nil, false},
		{"classic overlay2", [][2]string{{"Backing Filesystem", "extfs"}, {"Supports d_type", "true"}}, false},
		{"containerd snapshotter", [][2]string{{"driver-type", "io.containerd.snapshotter.v1"}}, true},
	}
	for _, tc := range tests {
		if got := usesContainerd(tc.status); got != tc.want {
			t.Errorf("%s: usesContainerd = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// Where a build goes: krust.local and no repository mean the engine,
// never a registry; a registry with --load means both.
func TestOutputs(t *testing.T) {
	tests := []struct {
		name       string
		flags      buildFlags
		r          config.Settled
		push, load bool
		image      string
	}{
		{"registry only", buildFlags{}, config.Settled{Repo: "ghcr.io/me"}, true, false, "ghcr.io/me/app"},
		{"no repository, no flags: the push error", buildFlags{}, config.Settled{}, true, false, "krust.local/app"},
		{"--load, no repository", buildFlags{load: true}, config.Settled{}, false, true, "krust.local/app"},
		{"--tarball, no repository", buildFlags{tarball: "x.tar"}, config.Settled{}, false, false, "krust.local/app"},
		{"KRUST_REPO=krust.local", buildFlags{}, config.Settled{Repo: "krust.local"}, false, true, "krust.local/app"},
		{"--load with a registry", buildFlags{load: true}, config.Settled{Repo: "ghcr.io/me"}, true, true, "ghcr.io/me/app"},
		{"--load --no-push with a registry", buildFlags{load: true, noPush: true}, config.Settled{Repo: "ghcr.io/me"}, false, true, "ghcr.io/me/app"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := tc.flags.outputs(tc.r, "app")
			if err != nil {
				t.Fatal(err)
			}
			if o.push != tc.push || o.load != tc.load || o.name.String() != tc.image {
				t.Errorf("outputs = push %v load %v name %s, want %v %v %s", o.push, o.load, o.name, tc.push, tc.load, tc.image)
			}
		})
	}
	_, err := (&buildFlags{load: true}).outputs(config.Settled{Compression: oci.Zstd}, "app")
	if !errors.Is(err, dockerarchive.ErrZstdLayer) {
		t.Errorf("--load with zstd: %v, want ErrZstdLayer", err)
	}
}
