package oci

import (
	"maps"
	"slices"
	"strings"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// DefaultPath is the PATH of an image built on scratch, the same default
// container engines use.
const DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// ConfigOptions says what NewConfig adds on top of a base image's config.
type ConfigOptions struct {
	// Platform is the image's platform; it overrides the base's.
	Platform ocispec.Platform
	// Entrypoint is the program to run, e.g. ["/app/hello"]. The base's Cmd
	// is dropped with it, so `args:` in Kubernetes and arguments to
	// `docker run` go straight to the program.
	Entrypoint []string
	// Layers are added on top of the base's, in order: each gets its
	// diffID and its history entry.
	Layers []AddedLayer
	// Created is the image's creation time and each added history entry's.
	Created time.Time
	// Image holds the user's settings for the config.
	Image ImageSettings
}

// ImageSettings are the config values a user may set; empty fields keep
// what the base has.
type ImageSettings struct {
	// Cmd is the default arguments after the Entrypoint.
	Cmd []string
	// Env sets variables, replacing the base's of the same name.
	Env map[string]string
	// User and WorkingDir replace the base's when set.
	User, WorkingDir string
	// Ports are exposed, as "8080" (TCP) or "53/udp".
	Ports []string
	// Labels are added to the base's, replacing those of the same name.
	Labels map[string]string
}

// NewConfig returns the config of an image made of base (nil for scratch)
// plus opts.Layers. The base's Env, User, WorkingDir, ports, volumes, labels
// and stop signal are kept; base is not modified.
func NewConfig(base *ocispec.Image, opts ConfigOptions) ocispec.Image {
	var img ocispec.Image
	if base != nil {
		img = cloneImage(*base)
	} else {
		img.Config.Env = []string{DefaultPath}
	}
	created := opts.Created.UTC()
	img.Created = &created
	img.Platform = ocispec.Platform{
		OS:           opts.Platform.OS,
		Architecture: opts.Platform.Architecture,
		Variant:      opts.Platform.Variant,
	}
	img.Author = ""
	img.Config.Entrypoint = slices.Clone(opts.Entrypoint)
	img.Config.Cmd = slices.Clone(opts.Image.Cmd)
	applySettings(&img.Config, opts.Image)
	img.RootFS.Type = "layers"
	for _, l := range opts.Layers {
		img.RootFS.DiffIDs = append(img.RootFS.DiffIDs, l.DiffID)
		img.History = append(img.History, ocispec.History{
			Created:   &created,
			CreatedBy: l.CreatedBy,
			Comment:   "docker-krust",
		})
	}
	return img
}

// cloneImage copies the parts of img that NewConfig keeps, so that changes
// to the copy never reach the caller's value.
func cloneImage(img ocispec.Image) ocispec.Image {
	out := ocispec.Image{
		Platform: img.Platform,
		Config: ocispec.ImageConfig{
			User:         img.Config.User,
			ExposedPorts: maps.Clone(img.Config.ExposedPorts),
			Env:          slices.Clone(img.Config.Env),
			Volumes:      maps.Clone(img.Config.Volumes),
			WorkingDir:   img.Config.WorkingDir,
			Labels:       maps.Clone(img.Config.Labels),
			StopSignal:   img.Config.StopSignal,
		},
		RootFS: ocispec.RootFS{
			Type:    img.RootFS.Type,
			DiffIDs: slices.Clone(img.RootFS.DiffIDs),
		},
		History: slices.Clone(img.History),
	}
	return out
}

// applySettings puts the user's settings into cfg.
func applySettings(cfg *ocispec.ImageConfig, s ImageSettings) {
	keys := slices.Sorted(maps.Keys(s.Env))
	for _, k := range keys {
		cfg.Env = setEnv(cfg.Env, k, s.Env[k])
	}
	if s.User != "" {
		cfg.User = s.User
	}
	if s.WorkingDir != "" {
		cfg.WorkingDir = s.WorkingDir
	}
	for _, p := range s.Ports {
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		if !strings.Contains(p, "/") {
			p += "/tcp"
		}
		cfg.ExposedPorts[p] = struct{}{}
	}
	for k, v := range s.Labels {
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		cfg.Labels[k] = v
	}
}

// setEnv replaces KEY=... in env, or appends it.
func setEnv(env []string, key, value string) []string {
	for i, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			env[i] = key + "=" + value
			return env
		}
	}
	return append(env, key+"="+value)
}
