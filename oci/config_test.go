package oci

import (
	"maps"
	"slices"
	"testing"
	"time"

	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

const (
	baseDiffID1 = digest.Digest("sha256:1111111111111111111111111111111111111111111111111111111111111111")
	baseDiffID2 = digest.Digest("sha256:2222222222222222222222222222222222222222222222222222222222222222")
	ourDiffID   = digest.Digest("sha256:3333333333333333333333333333333333333333333333333333333333333333")
)

func baseImage() *ocispec.Image {
	baseCreated := time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC)
	return &ocispec.Image{
		Created:  &baseCreated,
		Author:   "someone",
		Platform: ocispec.Platform{OS: "linux", Architecture: "amd64", OSVersion: "x", OSFeatures: []string{"f"}},
		Config: ocispec.ImageConfig{
			User:         "65532:65532",
			ExposedPorts: map[string]struct{}{"8080/tcp": {}},
			Env:          []string{"PATH=/usr/bin:/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"},
			Entrypoint:   []string{"/bin/sh", "-c"},
			Cmd:          []string{"echo", "base"},
			Volumes:      map[string]struct{}{"/data": {}},
			WorkingDir:   "/home/nonroot",
			Labels:       map[string]string{"org.opencontainers.image.vendor": "base"},
			StopSignal:   "SIGTERM",
		},
		RootFS: ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{baseDiffID1, baseDiffID2}},
		History: []ocispec.History{
			{Created: &baseCreated, CreatedBy: "base layer 1"},
			{Created: &baseCreated, CreatedBy: "base layer 2"},
			{Created: &baseCreated, CreatedBy: "ENV X=1", EmptyLayer: true},
		},
	}
}

// added is one added layer of diffID, made by createdBy.
func added(diffID digest.Digest, createdBy string) []AddedLayer {
	return []AddedLayer{{Layer: Layer{DiffID: diffID}, CreatedBy: createdBy}}
}

func TestNewConfig(t *testing.T) {
	created := time.Date(2024, 6, 7, 8, 9, 10, 0, time.FixedZone("CEST", 2*3600))
	const createdBy = "docker-krust build --bin hello"
	opts := ConfigOptions{
		Platform:   ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7", OSVersion: "ignored", OSFeatures: []string{"ignored"}},
		Entrypoint: []string{"/app/hello"},
		Layers:     added(ourDiffID, createdBy),
		Created:    created,
	}
	tests := []struct {
		name           string
		base           *ocispec.Image
		wantEnv        []string
		wantUser       string
		wantWorkingDir string
		wantLabels     map[string]string
		wantPorts      []string
		wantVolumes    []string
		wantStopSignal string
		wantDiffIDs    []digest.Digest
		wantHistory    []string
	}{
		{
			name:        "scratch",
			base:        nil,
			wantEnv:     []string{DefaultPath},
			wantDiffIDs: []digest.Digest{ourDiffID},
			wantHistory: []string{createdBy},
		},
		{
			name:           "base image",
			base:           baseImage(),
			wantEnv:        []string{"PATH=/usr/bin:/bin", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"},
			wantUser:       "65532:65532",
			wantWorkingDir: "/home/nonroot",
			wantLabels:     map[string]string{"org.opencontainers.image.vendor": "base"},
			wantPorts:      []string{"8080/tcp"},
			wantVolumes:    []string{"/data"},
			wantStopSignal: "SIGTERM",
			wantDiffIDs:    []digest.Digest{baseDiffID1, baseDiffID2, ourDiffID},
			wantHistory:    []string{"base layer 1", "base layer 2", "ENV X=1", createdBy},
		},
		{
			name:        "empty base",
			base:        &ocispec.Image{},
			wantEnv:     nil,
			wantDiffIDs: []digest.Digest{ourDiffID},
			wantHistory: []string{createdBy},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := NewConfig(tc.base, opts)

			if img.Created == nil || !img.Created.Equal(created) || img.Created.Location() != time.UTC {
				t.Errorf("Created = %v, want %v in UTC", img.Created, created.UTC())
			}
			if img.Author != "" {
				t.Errorf("Author = %q, want empty", img.Author)
			}
			if img.OS != "linux" || img.Architecture != "arm" || img.Variant != "v7" {
				t.Errorf("platform = %s/%s/%s, want linux/arm/v7", img.OS, img.Architecture, img.Variant)
			}
			if img.OSVersion != "" || img.OSFeatures != nil {
				t.Errorf("OSVersion %q, OSFeatures %q: want them unset", img.OSVersion, img.OSFeatures)
			}
			if !slices.Equal(img.Config.Entrypoint, opts.Entrypoint) {
				t.Errorf("Entrypoint = %q, want %q", img.Config.Entrypoint, opts.Entrypoint)
			}
			if img.Config.Cmd != nil {
				t.Errorf("Cmd = %q, want it dropped", img.Config.Cmd)
			}
			if !slices.Equal(img.Config.Env, tc.wantEnv) {
				t.Errorf("Env = %q, want %q", img.Config.Env, tc.wantEnv)
			}
			if img.Config.User != tc.wantUser || img.Config.WorkingDir != tc.wantWorkingDir || img.Config.StopSignal != tc.wantStopSignal {
				t.Errorf("User, WorkingDir, StopSignal = %q, %q, %q; want %q, %q, %q",
					img.Config.User, img.Config.WorkingDir, img.Config.StopSignal, tc.wantUser, tc.wantWorkingDir, tc.wantStopSignal)
			}
			if len(img.Config.Labels) != len(tc.wantLabels) {
				t.Errorf("Labels = %v, want %v", img.Config.Labels, tc.wantLabels)
			}
			for k, v := range tc.wantLabels {
				if img.Config.Labels[k] != v {
					t.Errorf("Labels[%q] = %q, want %q", k, img.Config.Labels[k], v)
				}
			}
			if got := slices.Sorted(maps.Keys(img.Config.ExposedPorts)); !slices.Equal(got, tc.wantPorts) {
				t.Errorf("ExposedPorts = %q, want %q", got, tc.wantPorts)
			}
			if got := slices.Sorted(maps.Keys(img.Config.Volumes)); !slices.Equal(got, tc.wantVolumes) {
				t.Errorf("Volumes = %q, want %q", got, tc.wantVolumes)
			}
			if img.RootFS.Type != "layers" {
				t.Errorf("RootFS.Type = %q, want layers", img.RootFS.Type)
			}
			if !slices.Equal(img.RootFS.DiffIDs, tc.wantDiffIDs) {
				t.Errorf("DiffIDs = %q, want %q", img.RootFS.DiffIDs, tc.wantDiffIDs)
			}
			var history []string
			for _, h := range img.History {
				history = append(history, h.CreatedBy)
			}
			if !slices.Equal(history, tc.wantHistory) {
				t.Fatalf("History = %q, want %q", history, tc.wantHistory)
			}
			last := img.History[len(img.History)-1]
			if last.Created == nil || !last.Created.Equal(created) || last.Created.Location() != time.UTC {
				t.Errorf("last history Created = %v, want %v in UTC", last.Created, created.UTC())
			}
			if last.EmptyLayer {
				t.Error("last history entry is marked empty, but it adds a layer")
			}
			// The number of non-empty history entries must match the layers.
			nonEmpty := 0
			for _, h := range img.History {
				if !h.EmptyLayer {
					nonEmpty++
				}
			}
			if nonEmpty != len(img.RootFS.DiffIDs) {
				t.Errorf("%d non-empty history entries for %d layers", nonEmpty, len(img.RootFS.DiffIDs))
			}
		})
	}
}

func TestNewConfigDoesNotMutate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(img *ocispec.Image)
	}{
		{"env element", func(img *ocispec.Image) { img.Config.Env[0] = "PATH=/evil" }},
		{"env append", func(img *ocispec.Image) { img.Config.Env = append(img.Config.Env[:1], "X=1") }},
		{"labels", func(img *ocispec.Image) {
			img.Config.Labels["new"] = "x"
			delete(img.Config.Labels, "org.opencontainers.image.vendor")
		}},
		{"ports", func(img *ocispec.Image) { img.Config.ExposedPorts["9090/tcp"] = struct{}{} }},
		{"volumes", func(img *ocispec.Image) { delete(img.Config.Volumes, "/data") }},
		{"diff ids", func(img *ocispec.Image) { img.RootFS.DiffIDs[0] = ourDiffID }},
		{"history element", func(img *ocispec.Image) { img.History[0].CreatedBy = "changed" }},
		{"history append", func(img *ocispec.Image) {
			img.History = append(img.History[:2], ocispec.History{CreatedBy: "changed"})
		}},
		{"entrypoint", func(img *ocispec.Image) { img.Config.Entrypoint[0] = "/changed" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := baseImage()
			want := baseImage()
			entrypoint := []string{"/app/hello"}
			img := NewConfig(base, ConfigOptions{
				Platform: ocispec.Platform{OS: "linux", Architecture: "amd64"}, Entrypoint: entrypoint,
				Layers: added(ourDiffID, "x"), Created: layerTime,
			})
			tc.mutate(&img)
			if !slices.Equal(base.Config.Env, want.Config.Env) {
				t.Errorf("base Env changed to %q", base.Config.Env)
			}
			if len(base.Config.Labels) != 1 || base.Config.Labels["org.opencontainers.image.vendor"] != "base" {
				t.Errorf("base Labels changed to %v", base.Config.Labels)
			}
			if len(base.Config.ExposedPorts) != 1 {
				t.Errorf("base ExposedPorts changed to %v", base.Config.ExposedPorts)
			}
			if len(base.Config.Volumes) != 1 {
				t.Errorf("base Volumes changed to %v", base.Config.Volumes)
			}
			if !slices.Equal(base.RootFS.DiffIDs, want.RootFS.DiffIDs) {
				t.Errorf("base DiffIDs changed to %q", base.RootFS.DiffIDs)
			}
			if len(base.History) != len(want.History) {
				t.Fatalf("base History has %d entries, want %d", len(base.History), len(want.History))
			}
			for i := range base.History {
				if base.History[i].CreatedBy != want.History[i].CreatedBy {
					t.Errorf("base History[%d] changed to %+v", i, base.History[i])
				}
			}
			if !slices.Equal(base.Config.Entrypoint, want.Config.Entrypoint) || !slices.Equal(base.Config.Cmd, want.Config.Cmd) {
				t.Errorf("base Entrypoint/Cmd changed to %q/%q", base.Config.Entrypoint, base.Config.Cmd)
			}
			if base.Author != want.Author || base.Config.User != want.Config.User {
				t.Errorf("base Author/User changed to %q/%q", base.Author, base.Config.User)
			}
			if entrypoint[0] != "/app/hello" {
				t.Errorf("options' Entrypoint changed to %q", entrypoint)
			}
		})
	}
}

// Appending to a base whose slices have spare capacity must not write into
// the base's backing arrays.
func TestNewConfigSpareCapacity(t *testing.T) {
	tests := []struct {
		name string
		base func() *ocispec.Image
	}{
		{"diff ids with capacity", func() *ocispec.Image {
			img := baseImage()
			ids := make([]digest.Digest, 1, 8)
			ids[0] = baseDiffID1
			img.RootFS.DiffIDs = ids
			hist := make([]ocispec.History, 1, 8)
			hist[0] = ocispec.History{CreatedBy: "base"}
			img.History = hist
			return img
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base()
			a := NewConfig(base, ConfigOptions{Layers: added(ourDiffID, "a")})
			b := NewConfig(base, ConfigOptions{Layers: added(baseDiffID2, "b")})
			if a.RootFS.DiffIDs[1] != ourDiffID || b.RootFS.DiffIDs[1] != baseDiffID2 {
				t.Errorf("diff IDs share storage: %q and %q", a.RootFS.DiffIDs, b.RootFS.DiffIDs)
			}
			if a.History[1].CreatedBy != "a" || b.History[1].CreatedBy != "b" {
				t.Errorf("histories share storage: %+v and %+v", a.History, b.History)
			}
			if got := base.RootFS.DiffIDs[:2][1]; got != "" {
				t.Errorf("base's spare capacity was written: %q", got)
			}
		})
	}
}
