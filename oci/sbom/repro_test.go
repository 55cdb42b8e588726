package sbom

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/attest"
)

var update = flag.Bool("update", false, "rewrite the golden documents in testdata")

// shuffled is in with its crates and each crate's dependencies in another
// order, the created time in another zone, and a copy of every slice, so
// that nothing is shared with in.
func shuffled(in Input, seed uint64) Input {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	g := *in.Graph
	g.Crates = slices.Clone(g.Crates)
	for i := range g.Crates {
		g.Crates[i].Dependencies = slices.Clone(g.Crates[i].Dependencies)
		r.Shuffle(len(g.Crates[i].Dependencies), func(a, b int) {
			d := g.Crates[i].Dependencies
			d[a], d[b] = d[b], d[a]
		})
	}
	r.Shuffle(len(g.Crates), func(a, b int) { g.Crates[a], g.Crates[b] = g.Crates[b], g.Crates[a] })
	in.Graph = &g
	in.Created = in.Created.In(time.FixedZone("X", -7*3600))
	return in
}

func TestEncodeIsReproducible(t *testing.T) {
	for _, f := range []attest.Format{attest.SPDX, attest.CycloneDX} {
		t.Run(string(f), func(t *testing.T) {
			want, err := Encode(f, fixture())
			if err != nil {
				t.Fatal(err)
			}
			for seed := range uint64(20) {
				got, err := Encode(f, shuffled(fixture(), seed))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("seed %d: the bytes differ from the first encoding:\n%s", seed, firstDiff(want, got))
				}
			}
		})
	}
}

// Everything that is not the digest, the name or the input stays, and a
// new digest gives a new namespace and serial number.
func TestEncodeDependsOnTheDigest(t *testing.T) {
	other := fixture()
	other.Image.Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	for _, f := range []attest.Format{attest.SPDX, attest.CycloneDX} {
		a, _ := Encode(f, fixture())
		b, err := Encode(f, other)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(a, b) {
			t.Errorf("%s: another image digest gives the same document", f)
		}
	}
	_, docA := readSPDX(t, fixture())
	_, docB := readSPDX(t, other)
	if docA.DocumentNamespace == docB.DocumentNamespace {
		t.Errorf("the namespace %q does not depend on the digest", docA.DocumentNamespace)
	}
	_, bomA := readCycloneDX(t, fixture())
	_, bomB := readCycloneDX(t, other)
	if bomA.SerialNumber == bomB.SerialNumber {
		t.Errorf("the serial number %q does not depend on the digest", bomA.SerialNumber)
	}
}

// The golden documents pin the bytes: an upgrade of tools-golang,
// cyclonedx-go, packageurl-go or go-spdx that changes them fails here.
// go test ./oci/sbom -run Golden -update rewrites them, for review.
func TestGolden(t *testing.T) {
	for _, f := range []attest.Format{attest.SPDX, attest.CycloneDX} {
		t.Run(string(f), func(t *testing.T) {
			got, err := Encode(f, fixture())
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata", kindOf(t, f).FileName("fixture"))
			if *update {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (go test ./oci/sbom -run Golden -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from what Encode writes (review, then -update):\n%s", file, firstDiff(want, got))
			}
		})
	}
}
