package sbom

import (
	"time"

	"github.com/docker-krust/docker-krust/cargo"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// The digests of the fixture's image and base.
const (
	imageDigest = digest.Digest("sha256:0a7e8ee0a3e1d5bb6f5b1f5e0d8c6f1d2b9f8a7c6e5d4c3b2a1f0e9d8c7b6a59")
	baseDigest  = digest.Digest("sha256:6a0a8e9bd4e6c7b1a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5")
)

// Package IDs of the fixture's crates, as cargo metadata writes them (the
// path ones hold a machine's absolute path, which no document may).
const (
	idHello      = "path+file:///home/dev/hello#0.1.0"
	idSerdeJSON  = "registry+https://github.com/rust-lang/crates.io-index#serde_json@1.0.87"
	idSerde      = "registry+https://github.com/rust-lang/crates.io-index#serde@1.0.152"
	idItoa1      = "registry+https://github.com/rust-lang/crates.io-index#itoa@1.0.1"
	idItoa04     = "registry+https://github.com/rust-lang/crates.io-index#itoa@0.4.8"
	idRyu        = "registry+https://github.com/rust-lang/crates.io-index#ryu@1.0.2"
	idHex        = "registry+https://github.com/rust-lang/crates.io-index#hex@0.4.3"
	idHexPatched = "path+file:///home/dev/hello/vendor/hex#0.4.3"
	idCfgIf      = "registry+https://github.com/rust-lang/crates.io-index#cfg-if@1.0.0"
	idMyCrate    = "git+https://git.example.com/team/my_crate.git?branch=main#4f1b5c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"
	idInternal   = "sparse+https://crates.example.com/index/#internal-auth@2.1.0"
	idUtil       = "path+file:///home/dev/hello/crates/util#0.1.0"
)

// cratesIO is a crates.io source.
var cratesIO = cargo.Source{Kind: cargo.SourceRegistry, URL: cargo.CratesIO}

// fixture is a real-looking graph with every edge case: crates.io crates
// with the licenses and checksums Debian's packaged crates have, two
// versions of itoa, a path crate with a crates.io crate's name and version
// (a patched hex), the old slash license syntax (cfg-if), a git crate whose
// name and version need sanitising and whose URL carries credentials, a
// crate of another registry whose license is no SPDX expression, and a
// path crate with no license but a license file.
func fixture() Input {
	crates := []cargo.Crate{
		{ID: idHello, Name: "hello", Version: "0.1.0", License: "MIT", Description: "Says hello, in JSON.",
			Source:       cargo.Source{Kind: cargo.SourcePath, Path: "."},
			Dependencies: []string{idSerdeJSON, idHex, idHexPatched, idCfgIf, idMyCrate, idInternal, idUtil}},
		{ID: idSerdeJSON, Name: "serde_json", Version: "1.0.87", License: "MIT OR Apache-2.0",
			Description: "A JSON serialization file format", Repository: "https://github.com/serde-rs/json",
			Source: cratesIO, Checksum: "6ce777b7b150d76b9cf60d28b55f5847135a003f7d7350c6be7a773508ce7d45",
			Features: []string{"default", "std"}, Dependencies: []string{idSerde, idItoa1, idRyu}},
		{ID: idSerde, Name: "serde", Version: "1.0.152", License: "MIT OR Apache-2.0",
			Homepage: "https://serde.rs", Repository: "https://github.com/serde-rs/serde",
			Source: cratesIO, Checksum: "bb7d1f0d3021d347a83e556fc4683dea2ea09d87bccdf88ff5c12545d89d5efb",
			Features: []string{"std"}},
		{ID: idItoa1, Name: "itoa", Version: "1.0.1", License: "MIT OR Apache-2.0",
			Source: cratesIO, Checksum: "1aab8fc367588b89dcee83ab0fd66b72b50b72fa1904d7095045ace2b0c81c35"},
		{ID: idItoa04, Name: "itoa", Version: "0.4.8", License: "MIT OR Apache-2.0",
			Source: cratesIO, Checksum: "b71991ff56294aa922b450139ee08b3bfc70982c6b2c7562771375cf73542dd4"},
		{ID: idRyu, Name: "ryu", Version: "1.0.2", License: "Apache-2.0 OR BSL-1.0",
			Source: cratesIO, Checksum: "bfa8506c1de11c9c4e4c38863ccbe02a305c8188e85a05a784c9e11e1c3910c8"},
		{ID: idHex, Name: "hex", Version: "0.4.3", License: "MIT OR Apache-2.0",
			Source: cratesIO, Checksum: "7f24254aa9a54b5c858eaee2f5bccdb46aaf0e486a595ed5fd8f86ba55232a70",
			Features: []string{"alloc", "default", "std"}},
		{ID: idHexPatched, Name: "hex", Version: "0.4.3", License: "MIT OR Apache-2.0",
			Source: cargo.Source{Kind: cargo.SourcePath, Path: "vendor/hex"}},
		{ID: idCfgIf, Name: "cfg-if", Version: "1.0.0", License: "MIT/Apache-2.0",
			Homepage: "https://github.com/alexcrichton/cfg-if", Source: cratesIO,
			Checksum: "baf1de4339761588bc0619e3cbc0120ee582ebb74b53b4efbf79117bd2da40fd"},
		{ID: idMyCrate, Name: "my_crate", Version: "1.0.0+build.5", License: "apache-2.0 with LLVM-exception",
			Source: cargo.Source{Kind: cargo.SourceGit, URL: "https://deploy:s3cr3t-t0ken@git.example.com/team/my_crate.git",
				Rev: "4f1b5c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", Ref: "branch=main"},
			Dependencies: []string{idItoa04}},
		{ID: idInternal, Name: "internal-auth", Version: "2.1.0", License: "Proprietary",
			Source:   cargo.Source{Kind: cargo.SourceRegistry, URL: "https://crates.example.com/index/"},
			Checksum: "9c8e3a1b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c"},
		{ID: idUtil, Name: "util", Version: "0.1.0", LicenseFile: "LICENSE.txt",
			Source: cargo.Source{Kind: cargo.SourcePath, Path: "crates/util"}},
	}
	return Input{
		Graph: &cargo.Graph{Root: idHello, Crates: crates,
			Lockfile: cargo.Lockfile{Path: "/home/dev/hello/Cargo.lock", Digest: "sha256:3d1f3e1e8c1b2a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a69"}},
		Bin: "hello",
		Image: Image{Name: "127.0.0.1:5000/team/hello", Digest: imageDigest,
			Platform: ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}},
		Base: &Base{Name: "gcr.io/distroless/static:nonroot", Digest: baseDigest},
		Toolchain: cargo.Toolchain{Rustc: "rustc 1.95.0 (59807616e 2026-04-14)",
			Cargo: "cargo 1.95.0 (f2d3ce0bd 2026-03-21)", Host: "x86_64-unknown-linux-gnu"},
		Created: time.Date(2026, 5, 1, 12, 30, 45, 999, time.FixedZone("CEST", 2*3600)),
		Tool:    "docker-krust 0.13.0",
	}
}

// minimal is a root crate with no dependency, on scratch.
func minimal() Input {
	in := fixture()
	in.Graph = &cargo.Graph{Root: idHello, Crates: []cargo.Crate{{
		ID: idHello, Name: "hello", Version: "0.1.0", License: "MIT",
		Source: cargo.Source{Kind: cargo.SourcePath, Path: "."},
	}}}
	in.Base = nil
	return in
}
