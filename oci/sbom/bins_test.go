package sbom

import (
	"bytes"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
)

// An image of several binaries: both documents name every binary's path;
// an image of one says "its binary" as it always did.
func TestSeveralBinaries(t *testing.T) {
	for _, f := range []attest.Format{attest.SPDX, attest.CycloneDX} {
		in := fixture()
		one, err := Encode(f, in)
		if err != nil {
			t.Fatal(err)
		}
		in.Bins = []string{in.Bin, "migrate"}
		both, err := Encode(f, in)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(both, []byte("/app/migrate")) || !bytes.Contains(both, []byte("/app/"+in.Bin)) {
			t.Errorf("%s of two binaries does not name both:\n%s", f, both)
		}
		if bytes.Contains(one, []byte("/app/migrate")) {
			t.Errorf("%s of one binary names another", f)
		}
		in.Bins = []string{in.Bin}
		if same, err := Encode(f, in); err != nil || !bytes.Equal(same, one) {
			t.Errorf("%s: Bins of the one binary changed the document (%v)", f, err)
		}
	}
}
