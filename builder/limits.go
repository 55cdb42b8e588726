package builder

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Room the user's settings have in an image's documents. Registries refuse
// manifests over 4 MiB (distribution's and oras-go's limit, and
// oci.MaxManifestSize, which krust applies when it reads one); krust reads
// configs up to oci.MaxConfigSize. The reserves are for what surrounds the
// settings: layer descriptors (64 KiB is 300 layers), the base's config
// and history.
const (
	manifestRoom = oci.MaxManifestSize - 64<<10
	configRoom   = oci.MaxConfigSize - 1<<20
)

// setting is one user setting that goes into a document, and its size.
type setting struct {
	name, where string
	size        int
	largest     string // the largest key of a map, if any
}

// checkSettingSizes refuses, before cargo runs, annotations and config
// settings (labels above all) that would make a manifest or a config
// larger than a registry accepts or krust reads back.
// annotations are the image's (see imageAnnotations), img the user's
// config settings.
func checkSettingSizes(annotations map[string]string, img oci.ImageSettings) error {
	a := mapSetting("annotations", "--annotation, or annotations in [package.metadata.krust]; Cargo.toml's description and license become annotations too", annotations)
	if err := checkRoom("an image manifest", manifestRoom, fmt.Sprintf("registries and krust refuse manifests over %d bytes", oci.MaxManifestSize), a); err != nil {
		return err
	}
	return checkRoom("an image config", configRoom, fmt.Sprintf("krust reads configs up to %d bytes", oci.MaxConfigSize),
		mapSetting("labels", "--label, or labels in [package.metadata.krust]", img.Labels),
		mapSetting("env", "--env, or env in [package.metadata.krust]", img.Env),
		jsonSetting("args", "--arg, or args in [package.metadata.krust]", img.Cmd),
		jsonSetting("ports", "--port, or ports in [package.metadata.krust]", img.Ports),
		setting{name: "user and workdir", where: "--user and --workdir", size: len(img.User) + len(img.WorkingDir)},
	)
}

// checkRoom fails when settings together take more than room bytes,
// naming the largest of them; why says whose limit it is.
func checkRoom(doc string, room int, why string, settings ...setting) error {
	total, used := 0, 0
	for _, s := range settings {
		total += s.size
		if s.size > 0 {
			used++
		}
	}
	if total <= room {
		return nil
	}
	sort.SliceStable(settings, func(i, j int) bool { return settings[i].size > settings[j].size })
	s := settings[0]
	what := fmt.Sprintf("%s take %d bytes", s.name, s.size)
	if used > 1 {
		what = fmt.Sprintf("the image settings take %d bytes, %s %d", total, s.name, s.size)
	}
	if s.largest != "" {
		what += fmt.Sprintf(" (the largest is %q)", s.largest)
	}
	return fmt.Errorf("%s, more than the %d bytes they have in %s (%s): shorten or drop some %s (%s)",
		what, room, doc, why, s.name, s.where)
}

// mapSetting measures a map as JSON and finds its largest entry.
func mapSetting(name, where string, m map[string]string) setting {
	s := jsonSetting(name, where, m)
	largest := -1
	for k, v := range m {
		if n := len(k) + len(v); n > largest || n == largest && k < s.largest {
			largest, s.largest = n, k
		}
	}
	return s
}

// jsonSetting measures a value as JSON; an empty one takes no room.
func jsonSetting(name, where string, v any) setting {
	data, _ := json.Marshal(v)
	if s := string(data); s == "null" || s == "[]" || s == "{}" {
		data = nil
	}
	return setting{name: name, where: where, size: len(data)}
}

// checkDocuments checks, once the base is known and still before cargo
// runs, that the config and manifest t will get stay within the limits:
// the base's own config, labels and layers count too, and so does each
// layer r adds. The documents are built from r as writeImage builds
// them, with placeholders of the largest size for the layers of bins that
// cargo has yet to make.
func checkDocuments(r recipe, t target, bins []string) error {
	placeholder := digest.FromString("")
	var added []oci.AddedLayer
	var arts []cargo.Artifact
	for _, bin := range bins {
		arts = append(arts, cargo.Artifact{Bin: bin})
	}
	for _, src := range r.layers(arts) {
		layer := ocispec.Descriptor{MediaType: r.compression.MediaType(), Digest: placeholder, Size: math.MaxInt64}
		added = append(added, oci.AddedLayer{Layer: oci.Layer{Descriptor: layer, DiffID: placeholder}, CreatedBy: src.createdBy})
	}
	cfgDesc, data, err := oci.Encode(ocispec.MediaTypeImageConfig, r.config(t.base, t.platform, added))
	if err != nil {
		return err
	}
	if len(data) > oci.MaxConfigSize {
		return fmt.Errorf("the image config would take %d bytes with the base's settings and labels, more than the %d krust reads: drop labels or env (--label, --env), or use another base", len(data), oci.MaxConfigSize)
	}
	_, data, err = oci.Encode(ocispec.MediaTypeImageManifest, r.manifest(cfgDesc, t.base, added))
	if err != nil {
		return err
	}
	if len(data) > oci.MaxManifestSize {
		layers := fmt.Sprintf("the base's %d layers", len(t.base.manifest.Layers))
		if len(added) > 1 {
			layers += fmt.Sprintf(", its own %d", len(added))
		}
		return fmt.Errorf("the image manifest would take %d bytes with %s and the annotations, more than the %d registries and krust accept: drop annotations (--annotation), or use a base with fewer layers", len(data), layers, oci.MaxManifestSize)
	}
	return nil
}
