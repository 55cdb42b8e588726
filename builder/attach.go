package builder

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/human"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/docker-krust/docker-krust/oci/provenance"
	"github.com/docker-krust/docker-krust/oci/sbom"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Referrer is a document attached to one of the build's image manifests
// as an OCI 1.1 referrer: its SBOM or its provenance.
type Referrer struct {
	// Platform is the platform of the image it refers to.
	Platform ocispec.Platform
	// Manifest is the referrer's manifest, listed in the layout's
	// index.json without a tag.
	Manifest ocispec.Descriptor
	// Document is the manifest's one layer: the document itself.
	Document ocispec.Descriptor
	// FileName names the document as a file (its layer's title).
	FileName string
}

// documentKinds returns the kinds of document the sbom and provenance
// settings ask for, in that order: "" is each one's default, attest.None
// asks for none. config.Settle checked the settings' values; a value
// naming no kind of the setting is a caller's mistake.
func documentKinds(sbomFormat, provenanceFormat attest.Format) ([]attest.Kind, error) {
	var kinds []attest.Kind
	for _, s := range []struct {
		setting attest.Setting
		format  attest.Format
	}{{attest.SBOM, sbomFormat}, {attest.Provenance, provenanceFormat}} {
		f := cmp.Or(s.format, attest.Default(s.setting))
		if f == attest.None {
			continue
		}
		k, ok := attest.KindOf(f)
		if !ok || k.Setting != s.setting {
			return nil, fmt.Errorf("%w: %s %q: want one of %v", attest.ErrUnknownFormat, s.setting, f, attest.Formats(s.setting))
		}
		kinds = append(kinds, k)
	}
	return kinds, nil
}

// wants reports whether the build attaches a document of setting s.
func (p *Plan) wants(s attest.Setting) (attest.Kind, bool) {
	for _, k := range p.kinds {
		if k.Setting == s {
			return k, true
		}
	}
	return attest.Kind{}, false
}

// described is what cargo says, after building, about what it built:
// the crates linked into each target's binary, and the toolchain.
type described struct {
	graphs    []*cargo.Graph // in the targets' order
	toolchain cargo.Toolchain
}

// wantsDocuments reports whether the build attaches any document.
func (p *Plan) wantsDocuments() bool { return len(p.kinds) > 0 }

// describe asks cargo what it linked into the binary for every target,
// and which toolchain built it, all at once: each is a cargo or rustc
// process of tens of milliseconds that a no-op rebuild would otherwise
// wait for in turn. It runs after the build, when Cargo.lock is settled,
// and reads the crates from what each target's build compiled (arts, in
// the targets' order).
// together are the packages cargo built with p's (all of them, p's
// among them), whose features it resolved together.
func (p *Plan) describe(ctx context.Context, targets []target, arts [][]cargo.Artifact, together []string) (*described, error) {
	if !p.wantsDocuments() {
		return nil, nil
	}
	d := &described{graphs: make([]*cargo.Graph, len(targets))}
	errs := make([]error, len(targets)+1)
	var wg sync.WaitGroup
	wg.Go(func() {
		var err error
		if d.toolchain, err = p.toolchain(ctx); err != nil {
			errs[len(targets)] = fmt.Errorf("ask for the Rust toolchain, which the SBOM and provenance name: %w", err)
		}
	})
	if _, ok := p.wants(attest.SBOM); !ok {
		// The provenance names Cargo.lock, not the crates: no need to ask
		// cargo for the graph.
		wg.Wait()
		lock, err := cargo.ReadLockfile(p.req.Project.WorkspaceRoot)
		if err = errors.Join(errs[len(targets)], err); err != nil {
			return nil, err
		}
		for i := range targets {
			d.graphs[i] = &cargo.Graph{Lockfile: lock}
		}
		return d, nil
	}
	for i, t := range targets {
		wg.Go(func() {
			g, err := p.graph(ctx, p.depsRequest(t, together, arts[i][0].Packages))
			if err != nil {
				errs[i] = fmt.Errorf("%w for %s, for the SBOM and provenance: %w", ErrCrateList, oci.PlatformString(t.platform), err)
			}
			d.graphs[i] = g
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return d, nil
}

// attach writes every platform's SBOM and provenance, and the referrer
// manifests that attach them to its image manifest, into store.
// With a signer, each document is also attached signed, as an in-toto
// attestation; those referrers are returned apart.
func (p *Plan) attach(ctx context.Context, store *layout.Layout, targets []target, manifests []ocispec.Descriptor, d *described, s *signer) ([]Referrer, []ocispec.Descriptor, error) {
	if d == nil {
		return nil, nil, nil
	}
	var out []Referrer
	var signed []ocispec.Descriptor
	for i, t := range targets {
		docs, err := p.documents(t, manifests[i], d.graphs[i], d.toolchain)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", oci.PlatformString(t.platform), err)
		}
		for _, doc := range docs {
			ref, err := p.writeReferrer(ctx, store, manifests[i], doc)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", oci.PlatformString(t.platform), err)
			}
			ref.Platform = t.platform
			out = append(out, ref)
			if s == nil {
				continue
			}
			att, err := p.signDocument(ctx, s, store, manifests[i], doc)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", oci.PlatformString(t.platform), err)
			}
			signed = append(signed, att)
		}
	}
	return out, signed, nil
}

// document is one document to attach, before it is written.
type document struct {
	kind     attest.Kind
	fileName string
	data     []byte
}

// documents encodes the SBOM and provenance of t's image, manifest.
func (p *Plan) documents(t target, manifest ocispec.Descriptor, g *cargo.Graph, tc cargo.Toolchain) ([]document, error) {
	var docs []document
	for _, k := range p.kinds {
		data, err := p.encode(k, t, manifest, g, tc)
		if err != nil {
			return nil, err
		}
		docs = append(docs, document{k, k.FileName(p.Entrypoint), data})
	}
	return docs, nil
}

// encode writes the document of kind k about t's image, manifest.
func (p *Plan) encode(k attest.Kind, t target, manifest ocispec.Descriptor, g *cargo.Graph, tc cargo.Toolchain) ([]byte, error) {
	if k.Setting == attest.SBOM {
		data, err := sbom.Encode(k.Format, p.sbomInput(t, manifest, g, tc))
		if err != nil {
			return nil, fmt.Errorf("SBOM: %w", err)
		}
		return data, nil
	}
	data, err := provenance.Encode(p.provenanceInput(t, manifest, g, tc))
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	return data, nil
}

// writeReferrer writes doc and the referrer manifest attaching it to
// subject.
func (p *Plan) writeReferrer(ctx context.Context, store *layout.Layout, subject ocispec.Descriptor, doc document) (Referrer, error) {
	desc, layer, err := p.writeAttached(ctx, store, subject, attachment{
		what: doc.fileName, artifactType: doc.kind.ArtifactType, mediaType: doc.kind.MediaType, data: doc.data,
		layerAnnotations: map[string]string{ocispec.AnnotationTitle: doc.fileName},
	})
	if err != nil {
		return Referrer{}, err
	}
	return Referrer{Manifest: desc, Document: layer, FileName: doc.fileName}, nil
}

// attachment is a blob to attach to an image as an OCI 1.1 referrer: a
// document, a signature.
type attachment struct {
	what, artifactType, mediaType string
	data                          []byte
	// layerAnnotations go on the blob's descriptor, annotations on the
	// referrer manifest, which also gets the build's creation time when
	// the build stamps one.
	layerAnnotations, annotations map[string]string
}

// writeAttached writes a's blob and the referrer manifest that attaches it
// to subject, with the empty config, and returns the manifest (its
// artifactType set) and the blob.
func (p *Plan) writeAttached(ctx context.Context, store *layout.Layout, subject ocispec.Descriptor, a attachment) (ocispec.Descriptor, ocispec.Descriptor, error) {
	// The empty config is a blob like any other: registries check that a
	// manifest's config is there.
	if _, err := store.WriteBlob(ctx, ocispec.MediaTypeEmptyJSON, ocispec.DescriptorEmptyJSON.Data); err != nil {
		return ocispec.Descriptor{}, ocispec.Descriptor{}, fmt.Errorf("write the empty config: %w", err)
	}
	layer, err := store.WriteBlob(ctx, a.mediaType, a.data)
	if err != nil {
		return ocispec.Descriptor{}, ocispec.Descriptor{}, fmt.Errorf("write %s: %w", a.what, err)
	}
	layer.Annotations = a.layerAnnotations
	annotations := a.annotations
	if p.req.StampCreated {
		annotations = maps.Clone(annotations)
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[ocispec.AnnotationCreated] = p.req.Created.UTC().Format("2006-01-02T15:04:05Z")
	}
	desc, err := writeJSON(ctx, store, ocispec.MediaTypeImageManifest, oci.NewReferrer(a.artifactType, subject, layer, annotations))
	if err != nil {
		return ocispec.Descriptor{}, ocispec.Descriptor{}, err
	}
	desc.ArtifactType = a.artifactType
	return desc, layer, nil
}

// imageName is what the documents call the image: the package's name,
// not the repository's, so that the documents of an image are the same
// wherever it is pushed, and those of a --no-push build are those of a
// pushed one.
func (p *Plan) imageName() string {
	return p.Package.Name
}

func (p *Plan) sbomInput(t target, manifest ocispec.Descriptor, g *cargo.Graph, tc cargo.Toolchain) sbom.Input {
	in := sbom.Input{
		Graph: g, Bin: p.Entrypoint, Bins: p.multiBins(), Toolchain: tc, Created: p.req.Created, Tool: "docker-krust " + p.b.version(),
		Image: sbom.Image{Name: p.imageName(), Digest: manifest.Digest, Platform: t.platform},
	}
	if t.base.store != nil {
		in.Base = &sbom.Base{Name: t.base.name, Digest: t.base.digest}
	}
	return in
}

func (p *Plan) provenanceInput(t target, manifest ocispec.Descriptor, g *cargo.Graph, tc cargo.Toolchain) provenance.Input {
	commit, dirty := strings.CutSuffix(p.revision.wait(), "-dirty")
	in := provenance.Input{
		Subject: provenance.Subject{Name: p.imageName(), Digest: manifest.Digest},
		Builder: provenance.Builder{Version: p.b.version()},
		Params: provenance.Params{
			Package: p.Package.Name, Bin: p.Entrypoint, Bins: p.multiBins(), Platform: oci.PlatformString(t.platform), Target: t.triple,
			Profile: p.profile, Libc: string(p.req.Libc), Features: cargo.Features(p.req.CargoArgs),
			CargoArgs: p.req.CargoArgs, Base: p.req.Base,
		},
		Source:    provenance.Source{Repository: p.Package.Repository, Commit: commit, Dirty: dirty},
		Lockfile:  g.Lockfile.Digest,
		Toolchain: tc, Created: p.req.Created,
	}
	if t.base.store != nil {
		in.Base = &provenance.Base{Name: t.base.name, Digest: t.base.digest}
	}
	in.Files = p.filesLayer
	return in
}

// documentNames says which documents the build attaches.
func (p *Plan) documentNames() string {
	var names []string
	for _, k := range p.kinds {
		if k.Setting == attest.SBOM {
			names = append(names, "an SBOM ("+string(k.Format)+")")
		} else {
			names = append(names, "SLSA provenance")
		}
	}
	return strings.Join(names, " and ")
}

// theOrEach names n things for a sentence: "the image manifest", "each of
// the 2 image manifests".
func theOrEach(n int, noun string) string {
	if n == 1 {
		return "the " + noun
	}
	return "each of the " + human.Count(n, noun)
}

// multiBins are the image's binaries when it has several, else nil: the
// documents of an image of one binary name it alone.
func (p *Plan) multiBins() []string {
	if len(p.Bins) < 2 {
		return nil
	}
	return p.Bins
}

// several is list when it has several entries, else nil.
func several(list []string) []string {
	if len(list) < 2 {
		return nil
	}
	return list
}
