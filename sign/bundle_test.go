package sign

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

// testKeys returns a P-256 and an Ed25519 key, as ParseKey reads them.
func testKeys(t *testing.T) map[string]*Key {
	t.Helper()
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]*Key{}
	for name, data := range map[string][]byte{"P-256": pkcs8PEM(t, newECDSA(t, elliptic.P256())), "Ed25519": pkcs8PEM(t, ed)} {
		k, err := ParseKey(data, nil)
		if err != nil {
			t.Fatal(err)
		}
		keys[name] = k
	}
	return keys
}

// bundleJSON is the part of a bundle's JSON the tests read.
type bundleJSON struct {
	MediaType            string `json:"mediaType"`
	VerificationMaterial struct {
		PublicKey struct {
			Hint string `json:"hint"`
		} `json:"publicKey"`
	} `json:"verificationMaterial"`
	DSSEEnvelope struct {
		Payload     []byte `json:"payload"`
		PayloadType string `json:"payloadType"`
		Signatures  []struct {
			Sig []byte `json:"sig"`
		} `json:"signatures"`
	} `json:"dsseEnvelope"`
}

func TestSignAndVerify(t *testing.T) {
	ctx := context.Background()
	image := digest.FromString("an image manifest")
	other := digest.FromString("another image manifest")
	keys := testKeys(t)
	for name, k := range keys {
		t.Run(name, func(t *testing.T) {
			stmt, err := SignatureStatement(image)
			if err != nil {
				t.Fatal(err)
			}
			b, err := k.Sign(ctx, stmt)
			if err != nil {
				t.Fatal(err)
			}
			// Deterministic: the same statement signs to the same bundle.
			if again, err := k.Sign(ctx, stmt); err != nil || !bytes.Equal(again.JSON, b.JSON) {
				t.Errorf("signing again gave another bundle (%v):\n%s\n%s", err, b.JSON, again.JSON)
			}
			var got bundleJSON
			if err := json.Unmarshal(b.JSON, &got); err != nil {
				t.Fatal(err)
			}
			if got.MediaType != BundleMediaType || got.DSSEEnvelope.PayloadType != PayloadType ||
				!bytes.Equal(got.DSSEEnvelope.Payload, stmt) || len(got.DSSEEnvelope.Signatures) != 1 {
				t.Errorf("bundle %s", b.JSON)
			}
			if got.VerificationMaterial.PublicKey.Hint != string(keypair{k}.GetHint()) || got.VerificationMaterial.PublicKey.Hint == "" {
				t.Errorf("hint %q", got.VerificationMaterial.PublicKey.Hint)
			}
			v, err := NewVerifier(k.Public())
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Verify(b.JSON, image, SignaturePredicate); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			wrongKey := keys["P-256"]
			if name == "P-256" {
				wrongKey = keys["Ed25519"]
			}
			wrong, err := NewVerifier(wrongKey.Public())
			if err != nil {
				t.Fatal(err)
			}
			tampered := bytes.Replace(b.JSON, []byte(base64.StdEncoding.EncodeToString(stmt)), []byte(base64.StdEncoding.EncodeToString(mustStatement(t, other))), 1)
			if bytes.Equal(tampered, b.JSON) {
				t.Fatal("the payload was not found in the bundle to tamper with")
			}
			for _, c := range []struct {
				name          string
				v             *Verifier
				bundle        []byte
				d             digest.Digest
				predicateType string
			}{
				{"another key", wrong, b.JSON, image, SignaturePredicate},
				{"another image", v, b.JSON, other, SignaturePredicate},
				{"a payload swapped", v, tampered, other, SignaturePredicate},
				{"another predicate", v, b.JSON, image, SLSAPredicate},
				{"not a bundle", v, []byte(`{"mediaType":"x"}`), image, SignaturePredicate},
			} {
				if err := c.v.Verify(c.bundle, c.d, c.predicateType); !errors.Is(err, ErrNotVerified) {
					t.Errorf("%s: Verify: %v, want ErrNotVerified", c.name, err)
				}
			}
		})
	}
}

func mustStatement(t *testing.T, d digest.Digest) []byte {
	t.Helper()
	s, err := SignatureStatement(d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStatement(t *testing.T) {
	d := digest.FromString("x")
	sig, err := SignatureStatement(d)
	if err != nil {
		t.Fatal(err)
	}
	// The statement cosign sign makes, byte for byte.
	want := `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"` + d.Encoded() + `"}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}`
	if string(sig) != want {
		t.Errorf("SignatureStatement:\n%s\nwant\n%s", sig, want)
	}
	sbom, err := Statement("app", d, SPDXPredicate, []byte(`{"spdxVersion":"SPDX-2.3"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sbom), `"subject":[{"name":"app","digest":{"sha256":"`+d.Encoded()+`"}}],"predicateType":"https://spdx.dev/Document","predicate":{"spdxVersion":"SPDX-2.3"}}`) {
		t.Errorf("Statement: %s", sbom)
	}
	if _, err := Statement("app", "sha256:nothex", SPDXPredicate, []byte(`{}`)); err == nil {
		t.Error("a bad digest was accepted")
	}
	if _, err := Statement("app", d, SPDXPredicate, []byte(`{`)); err == nil {
		t.Error("a predicate that is not JSON was accepted")
	}
}
