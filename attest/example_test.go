package attest_test

import (
	"fmt"

	"github.com/docker-krust/docker-krust/attest"
)

// The kind of document the sbom setting's default asks for, and what it
// is called where it goes.
func ExampleKindOf() {
	k, _ := attest.KindOf(attest.Default(attest.SBOM))
	fmt.Println(k.Format, k.ArtifactType, k.FileName("app"))
	// Output: spdx application/spdx+json app.spdx.json
}
