package oci

import (
	"maps"
	"slices"
	"time"

	digest "github.com/opencontainers/go-digest"
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
	// DiffID is the uncompressed digest of the layer added on top.
	DiffID digest.Digest
	// Created is the image's creation time and the added history entry's.
	Created time.Time
	// CreatedBy describes the added layer in the history.
	CreatedBy string
}

// NewConfig returns the config of an image made of base (nil for scratch)
// plus one layer. The base's Env, User, WorkingDir, ports, volumes, labels
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
	img.Config.Cmd = nil
	img.RootFS.Type = "layers"
	img.RootFS.DiffIDs = append(img.RootFS.DiffIDs, opts.DiffID)
	img.History = append(img.History, ocispec.History{
		Created:   &created,
		CreatedBy: opts.CreatedBy,
		Comment:   "docker-krust",
	})
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
