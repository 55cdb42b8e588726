package sign

import (
	"errors"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

func TestLegacySignature(t *testing.T) {
	d := digest.FromString("image")
	for name, k := range testKeys(t) {
		t.Run(name, func(t *testing.T) {
			v, err := NewVerifier(k.Public())
			if err != nil {
				t.Fatal(err)
			}
			payload, err := SimpleSigning("registry.example/app", d)
			if err != nil {
				t.Fatal(err)
			}
			want := `{"critical":{"identity":{"docker-reference":"registry.example/app"},"image":{"docker-manifest-digest":"` + d.String() + `"},"type":"cosign container image signature"},"optional":null}`
			if string(payload) != want {
				t.Errorf("payload\n%s\nwant\n%s", payload, want)
			}
			sig, err := k.SignPayload(payload)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.VerifyPayload(payload, sig, d); err != nil {
				t.Fatalf("VerifyPayload: %v", err)
			}
			if again, err := k.SignPayload(payload); err != nil || again != sig {
				t.Errorf("signing again gave another signature: %q, %v", again, err)
			}
			// A blob signed with the key for another purpose is no image
			// signature, whatever digest it holds.
			other := []byte(strings.Replace(string(payload), "cosign container image signature", "some other document", 1))
			otherSig, err := k.SignPayload(other)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				name    string
				payload []byte
				sig     string
				d       digest.Digest
			}{
				{"another image", payload, sig, digest.FromString("other")},
				{"another type of payload", other, otherSig, d},
				{"a signature of another payload", other, sig, d},
				{"not base64", payload, "!!", d},
			} {
				if err := v.VerifyPayload(c.payload, c.sig, c.d); !errors.Is(err, ErrNotVerified) {
					t.Errorf("%s: %v, want ErrNotVerified", c.name, err)
				}
			}
		})
	}
	if tag := SignatureTag(d); tag != "sha256-"+d.Encoded()+".sig" {
		t.Errorf("SignatureTag = %s", tag)
	}
}
