package sbom

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/cargo"
)

func TestEncodeRejects(t *testing.T) {
	tests := []struct {
		name   string
		f      attest.Format
		change func(*Input)
		want   error
		says   string
	}{
		{"none", attest.None, func(*Input) {}, ErrNoDocument, "none"},
		{"unknown format", attest.Format("xml"), func(*Input) {}, ErrUnknownFormat, `"xml"`},
		{"no graph", attest.SPDX, func(in *Input) { in.Graph = nil }, ErrInvalidInput, "Graph is nil"},
		{"root missing", attest.SPDX, func(in *Input) { in.Graph.Root = "path+file:///elsewhere#0.1.0" }, ErrInvalidInput, "root"},
		{"dependency missing", attest.CycloneDX, func(in *Input) {
			in.Graph.Crates[1].Dependencies = append(in.Graph.Crates[1].Dependencies, "registry+x#gone@1.0.0")
		}, ErrInvalidInput, "gone@1.0.0"},
		{"crate twice", attest.SPDX, func(in *Input) { in.Graph.Crates = append(in.Graph.Crates, in.Graph.Crates[2]) }, ErrInvalidInput, "twice"},
		{"same identity", attest.SPDX, func(in *Input) {
			c := in.Graph.Crates[2]
			c.ID = "another ID"
			in.Graph.Crates = append(in.Graph.Crates, c)
		}, ErrInvalidInput, "same identity"},
		{"bad checksum", attest.SPDX, func(in *Input) { in.Graph.Crates[1].Checksum = "abc" }, ErrInvalidInput, "Checksum"},
		{"no version", attest.SPDX, func(in *Input) { in.Graph.Crates[1].Version = "" }, ErrInvalidInput, "Version"},
		{"unknown source", attest.SPDX, func(in *Input) { in.Graph.Crates[1].Source.Kind = "vendor" }, ErrInvalidInput, "vendor"},
		{"relative source URL", attest.SPDX, func(in *Input) { in.Graph.Crates[1].Source.URL = "crates.io-index" }, ErrInvalidInput, "absolute"},
		{"bad image digest", attest.SPDX, func(in *Input) { in.Image.Digest = "sha256:short" }, ErrInvalidInput, "Image.Digest"},
		{"bad base digest", attest.CycloneDX, func(in *Input) { in.Base.Digest = "" }, ErrInvalidInput, "Base.Digest"},
		{"no platform", attest.SPDX, func(in *Input) { in.Image.Platform.Architecture = "" }, ErrInvalidInput, "Platform"},
		{"bin with a path", attest.SPDX, func(in *Input) { in.Bin = "bin/hello" }, ErrInvalidInput, "Bin"},
		{"bins with a path", attest.SPDX, func(in *Input) { in.Bins = []string{in.Bin, "a/b"} }, ErrInvalidInput, `Bins: "a/b"`},
		{"bin not among bins", attest.CycloneDX, func(in *Input) { in.Bins = []string{"other", "more"} }, ErrInvalidInput, "not one of Bins"},
		{"no rustc", attest.SPDX, func(in *Input) { in.Toolchain = cargo.Toolchain{} }, ErrInvalidInput, "rustc --version"},
		{"zero time", attest.SPDX, func(in *Input) { in.Created = time.Time{} }, ErrInvalidInput, "SOURCE_DATE_EPOCH"},
		{"no tool", attest.CycloneDX, func(in *Input) { in.Tool = " " }, ErrInvalidInput, "Tool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fixture()
			tt.change(&in)
			b, err := Encode(tt.f, in)
			if !errors.Is(err, tt.want) || b != nil {
				t.Fatalf("Encode = %d bytes, %v; want %v", len(b), err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
		})
	}
}

// A source URL that does not parse is named in the error without what
// may be its credentials.
func TestEncodeErrorHasNoCredentials(t *testing.T) {
	tests := map[string]func(*Input){
		"bad URL": func(in *Input) { in.Graph.Crates[9].Source.URL = "https://deploy:s3cr3t@git.example.com/%zz" },
		"ID with credentials, missing": func(in *Input) {
			in.Graph.Crates[0].Dependencies = append(in.Graph.Crates[0].Dependencies, "git+https://deploy:s3cr3t@git.example.com/x#1.0.0")
		},
		"root with credentials, missing": func(in *Input) { in.Graph.Root = "git+https://deploy:s3cr3t@git.example.com/x#1.0.0" },
	}
	for name, change := range tests {
		in := fixture()
		change(&in)
		_, err := Encode(attest.SPDX, in)
		if !errors.Is(err, ErrInvalidInput) || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: error %v: want ErrInvalidInput without the credentials", name, err)
		}
	}
}

// On scratch there is no base: no package, no relationship, no purl.
func TestScratchHasNoBase(t *testing.T) {
	b, doc := readSPDX(t, minimal())
	if strings.Contains(string(b), "base-image") || strings.Contains(string(b), "DESCENDANT_OF") {
		t.Errorf("the SPDX document of a scratch image names a base")
	}
	if len(doc.Packages) != 3 {
		t.Errorf("%d packages, want the image, the toolchain and the root", len(doc.Packages))
	}
	c, bom := readCycloneDX(t, minimal())
	if strings.Contains(string(c), "base-image") {
		t.Errorf("the CycloneDX document of a scratch image names a base")
	}
	if len(*bom.Components) != 2 {
		t.Errorf("%d components, want the image and the toolchain", len(*bom.Components))
	}
}

// A base from a local layout is named by its directory's last element, so
// the document is the same wherever the layout is.
func TestLayoutBaseIsTheSameOnEveryMachine(t *testing.T) {
	var docs [][]byte
	for _, dir := range []string{"/home/alice/layouts/base", "/builds/ci/1234/base/"} {
		in := fixture()
		in.Base = &Base{Name: "oci:" + dir + ":v1", Digest: baseDigest}
		b, err := Encode(attest.SPDX, in)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "/home/alice") || strings.Contains(string(b), "/builds/ci") {
			t.Errorf("the document holds the layout's path")
		}
		docs = append(docs, b)
	}
	if string(docs[0]) != string(docs[1]) {
		t.Errorf("the documents differ with the layout's directory:\n%s", firstDiff(docs[0], docs[1]))
	}
}
