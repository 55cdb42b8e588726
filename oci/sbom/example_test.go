package sbom_test

import (
	"fmt"
	"time"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/oci/sbom"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func ExampleEncode() {
	const root = "path+file:///src/hello#0.1.0"
	const hex = "registry+https://github.com/rust-lang/crates.io-index#hex@0.4.3"
	in := sbom.Input{
		Graph: &cargo.Graph{Root: root, Crates: []cargo.Crate{
			{ID: root, Name: "hello", Version: "0.1.0", License: "MIT",
				Source: cargo.Source{Kind: cargo.SourcePath, Path: "."}, Dependencies: []string{hex}},
			{ID: hex, Name: "hex", Version: "0.4.3", License: "MIT OR Apache-2.0",
				Source:   cargo.Source{Kind: cargo.SourceRegistry, URL: cargo.CratesIO},
				Checksum: "7f24254aa9a54b5c858eaee2f5bccdb46aaf0e486a595ed5fd8f86ba55232a70"},
		}},
		Bin: "hello",
		Image: sbom.Image{Name: "127.0.0.1:5000/hello",
			Digest:   "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
			Platform: ocispec.Platform{OS: "linux", Architecture: "amd64"}},
		Toolchain: cargo.Toolchain{Rustc: "rustc 1.95.0 (59807616e 2026-04-14)"},
		Created:   time.Unix(0, 0),
		Tool:      "docker-krust 0.13.0",
	}
	kind, _ := attest.KindOf(attest.SPDX)
	doc, err := sbom.Encode(kind.Format, in)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(kind.MediaType, kind.FileName(in.Bin), len(doc) > 0)
	// Output: application/spdx+json hello.spdx.json true
}
