package sbom

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/internal/scrub"
	"github.com/docker-krust/docker-krust/oci"
	digest "github.com/opencontainers/go-digest"
)

// noAssertion is SPDX's "the creator makes no statement about this".
const noAssertion = "NOASSERTION"

// model is an Input checked and put in the order the documents list it,
// with everything both formats derive from it: identifiers, purls,
// licenses and locations. The encoders only translate it.
type model struct {
	created               string
	toolName, toolVersion string
	tool                  string
	bin                   string
	// bins says where the binaries are, for sentences: "its binary is
	// /app/A" or "its binaries are /app/A, /app/B".
	bins string
	// paths are the binaries' paths in the image.
	paths     []string
	platform  string
	image     imageModel
	base      *imageModel
	toolchain toolchainModel
	// crates are sorted by name, version and ref; root is one of them.
	crates []crateModel
	root   *crateModel
}

// imageModel is the image or its base.
type imageModel struct {
	ref     string
	name    string
	digest  digest.Digest
	purl    string
	comment string
}

// toolchainModel is the Rust toolchain.
type toolchainModel struct {
	version            string
	rustc, cargo, host string
}

// crateModel is one crate of the graph.
type crateModel struct {
	cargo.Crate
	ref      string
	url      string // the source's URL without credentials
	purl     string
	license  license
	download string
	deps     []string // refs, sorted
	root     bool
}

// newModel checks in and derives the model from it.
func newModel(in Input) (*model, error) {
	if err := checkInput(in); err != nil {
		return nil, err
	}
	m := &model{
		created:   in.Created.UTC().Truncate(time.Second).Format(time.RFC3339),
		tool:      in.Tool,
		bin:       in.Bin,
		bins:      binsPhrase(in),
		paths:     binPaths(in),
		platform:  oci.PlatformString(in.Image.Platform),
		toolchain: newToolchain(in.Toolchain),
	}
	m.toolName, m.toolVersion, _ = strings.Cut(strings.TrimSpace(in.Tool), " ")
	m.image = imageModel{
		ref:    "image",
		name:   in.Image.Name,
		digest: in.Image.Digest,
		purl:   imagePurl(in.Image),
		comment: fmt.Sprintf("The image for %s: its manifest's digest is %s and %s.",
			m.platform, in.Image.Digest, m.bins),
	}
	if in.Base != nil {
		b := newBase(*in.Base, in.Image.Platform.Architecture)
		m.base = &b
	}
	if err := m.addCrates(in.Graph); err != nil {
		return nil, err
	}
	return m, nil
}

// checkInput checks everything of in but the crates.
func checkInput(in Input) error {
	var problems []string
	if in.Graph == nil {
		problems = append(problems, "Graph is nil")
	}
	if in.Bin == "" || strings.ContainsAny(in.Bin, "/\\") {
		problems = append(problems, fmt.Sprintf("Bin %q is not a file name", in.Bin))
	}
	for _, b := range in.Bins {
		if b == "" || strings.ContainsAny(b, "/\\") {
			problems = append(problems, fmt.Sprintf("Bins: %q is not a file name", b))
		}
	}
	if len(in.Bins) > 0 && !slices.Contains(in.Bins, in.Bin) {
		problems = append(problems, fmt.Sprintf("Bin %q is not one of Bins %q", in.Bin, in.Bins))
	}
	if in.Image.Name == "" {
		problems = append(problems, "Image.Name is empty")
	}
	if err := in.Image.Digest.Validate(); err != nil {
		problems = append(problems, fmt.Sprintf("Image.Digest %q: %v", in.Image.Digest, err))
	}
	if in.Image.Platform.OS == "" || in.Image.Platform.Architecture == "" {
		problems = append(problems, "Image.Platform needs an OS and an Architecture")
	}
	if in.Base != nil {
		if in.Base.Name == "" {
			problems = append(problems, "Base.Name is empty (use a nil Base for scratch)")
		}
		if err := in.Base.Digest.Validate(); err != nil {
			problems = append(problems, fmt.Sprintf("Base.Digest %q: %v", in.Base.Digest, err))
		}
	}
	if in.Toolchain.Rustc == "" {
		problems = append(problems, "Toolchain.Rustc is empty (want what rustc --version prints)")
	}
	if in.Created.IsZero() {
		problems = append(problems, "Created is the zero time (want SOURCE_DATE_EPOCH or the layer's fixed time)")
	}
	if strings.TrimSpace(in.Tool) == "" {
		problems = append(problems, `Tool is empty (want "docker-krust VERSION")`)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidInput, strings.Join(problems, "; "))
	}
	return nil
}

// addCrates checks the graph's crates and adds them, sorted, with their
// dependencies resolved to refs.
func (m *model) addCrates(g *cargo.Graph) error {
	byID := make(map[string]int, len(g.Crates))
	refs := make(map[string]string, len(g.Crates))
	m.crates = make([]crateModel, 0, len(g.Crates))
	for _, c := range g.Crates {
		cm, err := newCrate(c)
		if err != nil {
			return err
		}
		if _, dup := byID[c.ID]; dup {
			return fmt.Errorf("%w: crate ID %q is in Graph.Crates twice", ErrInvalidInput, scrub.Prose(c.ID))
		}
		if other, dup := refs[cm.ref]; dup {
			return fmt.Errorf("%w: crates %q and %q have the same identity %s", ErrInvalidInput, scrub.Prose(other), scrub.Prose(c.ID), cm.ref)
		}
		byID[c.ID] = len(m.crates)
		refs[cm.ref] = c.ID
		m.crates = append(m.crates, cm)
	}
	root, ok := byID[g.Root]
	if !ok {
		return fmt.Errorf("%w: the root %q is not in Graph.Crates", ErrInvalidInput, scrub.Prose(g.Root))
	}
	m.crates[root].root = true
	for i := range m.crates {
		c := &m.crates[i]
		for _, d := range c.Dependencies {
			j, ok := byID[d]
			if !ok {
				return fmt.Errorf("%w: crate %q depends on %q, which is not in Graph.Crates", ErrInvalidInput, scrub.Prose(c.ID), scrub.Prose(d))
			}
			c.deps = append(c.deps, m.crates[j].ref)
		}
		slices.Sort(c.deps)
		c.deps = slices.Compact(c.deps)
	}
	slices.SortFunc(m.crates, func(a, b crateModel) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version), cmp.Compare(a.ref, b.ref))
	})
	for i := range m.crates {
		if m.crates[i].root {
			m.root = &m.crates[i]
		}
	}
	return nil
}

// newCrate checks c and derives what the documents say of it.
func newCrate(c cargo.Crate) (crateModel, error) {
	bad := func(format string, a ...any) (crateModel, error) {
		return crateModel{}, fmt.Errorf("%w: crate %q: %s", ErrInvalidInput, scrub.Prose(c.ID), fmt.Sprintf(format, a...))
	}
	if c.ID == "" || c.Name == "" || c.Version == "" {
		return bad("ID, Name and Version are required (Name %q, Version %q)", c.Name, c.Version)
	}
	c.Checksum = strings.ToLower(c.Checksum)
	if c.Checksum != "" && !isSHA256Hex(c.Checksum) {
		return bad("Checksum %q is not a hex SHA-256", c.Checksum)
	}
	c = ScrubCrate(c)
	cm := crateModel{Crate: c, license: parseLicense(c.License)}
	switch c.Source.Kind {
	case cargo.SourceRegistry, cargo.SourceGit:
		u, err := cleanURL(c.Source.URL)
		if err != nil {
			return bad("source URL: %v", err)
		}
		cm.url = u
	case cargo.SourcePath:
	default:
		return bad("unknown source kind %q", c.Source.Kind)
	}
	cm.ref = crateRef(c, cm.url)
	cm.purl = cratePurl(c, cm.url)
	cm.download = downloadLocation(c, cm.url)
	return cm, nil
}

// isSHA256Hex reports whether s is 64 lowercase hex digits.
func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// newToolchain takes the version out of rustc's "rustc 1.95.0 (hash
// date)".
func newToolchain(t cargo.Toolchain) toolchainModel {
	v := strings.TrimSpace(t.Rustc)
	if f := strings.Fields(v); len(f) >= 2 && f[0] == "rustc" {
		v = f[1]
	}
	return toolchainModel{version: v, rustc: t.Rustc, cargo: t.Cargo, host: t.Host}
}

// binsPhrase says where in's binaries are in the image.
func binsPhrase(in Input) string {
	paths := binPaths(in)
	if len(paths) == 1 {
		return "its binary is " + paths[0]
	}
	return "its binaries are " + strings.Join(paths, ", ")
}

// binPaths are the paths of in's binaries in the image.
func binPaths(in Input) []string {
	bins := in.Bins
	if len(bins) == 0 {
		bins = []string{in.Bin}
	}
	paths := make([]string, len(bins))
	for i, b := range bins {
		paths[i] = path.Join("/app", b)
	}
	return paths
}
