package sbom

import (
	"bytes"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/cargo"
)

// TestDocumentsHoldNoSecretNorLocalPath: what a crate's Cargo.toml and
// cargo say of it is untrusted input. Each field below holds a secret or
// a path of the machine, in a form the old pattern-matching let through;
// neither document may hold any, and both must still say what is safe.
func TestDocumentsHoldNoSecretNorLocalPath(t *testing.T) {
	tests := []struct {
		name   string
		change func(*cargo.Crate)
		want   []string // in both documents
	}{
		{"repository with a slash in the password", func(c *cargo.Crate) {
			c.Repository = "https://bob:p/SECRET@git.example.com/x"
		}, []string{"https://git.example.com/x"}},
		{"homepage with = ; and a space in the password", func(c *cargo.Crate) {
			c.Homepage = "https://bob:p=s;s SECRET@example.com/home"
		}, []string{"https://example.com/home"}},
		{"homepage with a token in the query", func(c *cargo.Crate) {
			c.Homepage = "https://example.com/home?private_token=SECRET#SECRET"
		}, []string{"https://example.com/home"}},
		{"repository with %40 and a quote", func(c *cargo.Crate) {
			c.Repository = `https://bob%40corp:p"SECRET@git.example.com/y`
		}, []string{"https://git.example.com/y"}},
		{"description with a URL", func(c *cargo.Crate) {
			c.Description = "Mirror of https://deploy:SECRET@git.example.com/z."
		}, []string{"Mirror of https://git.example.com/z."}},
		{"path crate outside the workspace", func(c *cargo.Crate) {
			c.Source = cargo.Source{Kind: cargo.SourcePath, Path: "../../home/SECRET/crates/util"}
		}, []string{"<local>/util"}},
		{"path crate in a home directory", func(c *cargo.Crate) {
			c.Source = cargo.Source{Kind: cargo.SourcePath, Path: "../../home/SECRET"}
		}, []string{"<local>"}},
		{"absolute license file", func(c *cargo.Crate) {
			c.LicenseFile = "/home/SECRET/licenses/LICENSE.txt"
		}, []string{"<local>/LICENSE.txt"}},
		{"git source with a slash in the password", func(c *cargo.Crate) {
			c.Source = cargo.Source{Kind: cargo.SourceGit, URL: "https://deploy:a/SECRET@git.example.com/team/util.git",
				Rev: "4f1b5c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"}
		}, []string{"git+https://git.example.com/team/util.git@4f1b5c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"}},
		{"git source over ssh", func(c *cargo.Crate) {
			c.Source = cargo.Source{Kind: cargo.SourceGit, URL: "ssh://SECRET@git.example.com/team/util.git",
				Rev: "4f1b5c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", Ref: "branch=https://u:SECRET@x.example"}
		}, []string{"git+ssh://git.example.com/team/util.git@4f1b5c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"}},
		{"local registry", func(c *cargo.Crate) {
			c.Source = cargo.Source{Kind: cargo.SourceRegistry, URL: "file:///home/SECRET/registry/index"}
			c.Checksum = ""
		}, []string{"file://<local>/index"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fixture()
			for i, c := range in.Graph.Crates {
				if c.ID == idUtil {
					tt.change(&in.Graph.Crates[i])
				}
			}
			for _, f := range []attest.Format{attest.SPDX, attest.CycloneDX} {
				doc, err := Encode(f, in)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if bytes.Contains(doc, []byte("SECRET")) {
					t.Errorf("%s holds the secret:\n%s", f, doc)
				}
				for _, w := range tt.want {
					if !bytes.Contains(doc, []byte(w)) {
						t.Errorf("%s lacks %s:\n%s", f, w, doc)
					}
				}
			}
		})
	}
}

// TestLayoutBaseNamedWithoutItsDirectories: a base from a local layout is
// named oci:<local>/NAME:TAG in both documents, wherever the layout is.
func TestLayoutBaseNamedWithoutItsDirectories(t *testing.T) {
	docs := map[string][]byte{}
	for _, dir := range []string{"/home/SECRET/layouts/base", "/srv/SECRET/x/base/", "../SECRET/base"} {
		in := fixture()
		in.Base = &Base{Name: "oci:" + dir + ":v1", Digest: baseDigest}
		for _, f := range []attest.Format{attest.SPDX, attest.CycloneDX} {
			doc, err := Encode(f, in)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(doc, []byte("SECRET")) || !bytes.Contains(doc, []byte(`"oci:<local>/base:v1"`)) {
				t.Errorf("%s of a base at %s names it otherwise than oci:<local>/base:v1:\n%s", f, dir, doc)
			}
			if prev, ok := docs[string(f)]; ok && !bytes.Equal(prev, doc) {
				t.Errorf("%s differs with the layout's directory", f)
			}
			docs[string(f)] = doc
		}
	}
}
