package provenance

import (
	"bytes"
	"testing"
)

// bins is an external parameter only for an image of several binaries,
// so that the provenance of an image of one stays byte for byte.
func TestEncodeBins(t *testing.T) {
	in := fullInput()
	one := encode(t, in)
	in.Params.Bins = []string{in.Params.Bin}
	if !bytes.Equal(encode(t, in), one) {
		t.Error("Bins of the one binary changed the provenance")
	}
	in.Params.Bins = []string{in.Params.Bin, "migrate"}
	_, p := parse(t, encode(t, in))
	got := p.GetBuildDefinition().GetExternalParameters().GetFields()["bins"].GetListValue().AsSlice()
	if len(got) != 2 || got[0] != in.Params.Bin || got[1] != "migrate" {
		t.Errorf("externalParameters.bins = %v, want [%s migrate]", got, in.Params.Bin)
	}
}
