package sbom

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/attest"
	"github.com/docker-krust/docker-krust/cargo"
)

// crateLabel names a crate independently of any document identifier:
// NAME@VERSION, marked when it is a path crate (which has no purl), so
// that the fixture's two hex 0.4.3 differ.
func crateLabel(name, version string, path bool) string {
	if path {
		return name + "@" + version + " (path)"
	}
	return name + "@" + version
}

// wantEdges are the fixture graph's dependencies as "FROM -> TO" labels,
// sorted.
func wantEdges(g *cargo.Graph) []string {
	labels := map[string]string{}
	for _, c := range g.Crates {
		labels[c.ID] = crateLabel(c.Name, c.Version, c.Source.Kind == cargo.SourcePath)
	}
	var edges []string
	for _, c := range g.Crates {
		for _, d := range c.Dependencies {
			edges = append(edges, labels[c.ID]+" -> "+labels[d])
		}
	}
	slices.Sort(edges)
	return edges
}

// crateWant is what a document must say of one of the fixture's crates.
type crateWant struct {
	label       string
	purl        string
	spdxLicense string // licenseDeclared
	cdxLicense  string // the expression, or "name: TEXT"
	checksum    string
	download    string // SPDX downloadLocation
}

// fixtureWants are the fixture's crates with an edge case each.
var fixtureWants = []crateWant{
	{label: "hello@0.1.0 (path)", spdxLicense: "MIT", cdxLicense: "MIT", download: noAssertion},
	{label: "serde_json@1.0.87", purl: "pkg:cargo/serde_json@1.0.87",
		spdxLicense: "MIT OR Apache-2.0", cdxLicense: "MIT OR Apache-2.0",
		checksum: "6ce777b7b150d76b9cf60d28b55f5847135a003f7d7350c6be7a773508ce7d45",
		download: "https://crates.io/api/v1/crates/serde_json/1.0.87/download"},
	{label: "ryu@1.0.2", purl: "pkg:cargo/ryu@1.0.2",
		spdxLicense: "Apache-2.0 OR BSL-1.0", cdxLicense: "Apache-2.0 OR BSL-1.0",
		checksum: "bfa8506c1de11c9c4e4c38863ccbe02a305c8188e85a05a784c9e11e1c3910c8",
		download: "https://crates.io/api/v1/crates/ryu/1.0.2/download"},
	{label: "itoa@1.0.1", purl: "pkg:cargo/itoa@1.0.1",
		spdxLicense: "MIT OR Apache-2.0", cdxLicense: "MIT OR Apache-2.0",
		checksum: "1aab8fc367588b89dcee83ab0fd66b72b50b72fa1904d7095045ace2b0c81c35",
		download: "https://crates.io/api/v1/crates/itoa/1.0.1/download"},
	{label: "itoa@0.4.8", purl: "pkg:cargo/itoa@0.4.8",
		spdxLicense: "MIT OR Apache-2.0", cdxLicense: "MIT OR Apache-2.0",
		checksum: "b71991ff56294aa922b450139ee08b3bfc70982c6b2c7562771375cf73542dd4",
		download: "https://crates.io/api/v1/crates/itoa/0.4.8/download"},
	{label: "hex@0.4.3", purl: "pkg:cargo/hex@0.4.3",
		spdxLicense: "MIT OR Apache-2.0", cdxLicense: "MIT OR Apache-2.0",
		checksum: "7f24254aa9a54b5c858eaee2f5bccdb46aaf0e486a595ed5fd8f86ba55232a70",
		download: "https://crates.io/api/v1/crates/hex/0.4.3/download"},
	{label: "hex@0.4.3 (path)", spdxLicense: "MIT OR Apache-2.0", cdxLicense: "MIT OR Apache-2.0", download: noAssertion},
	{label: "cfg-if@1.0.0", purl: "pkg:cargo/cfg-if@1.0.0",
		spdxLicense: "MIT OR Apache-2.0", cdxLicense: "MIT OR Apache-2.0",
		checksum: "baf1de4339761588bc0619e3cbc0120ee582ebb74b53b4efbf79117bd2da40fd",
		download: "https://crates.io/api/v1/crates/cfg-if/1.0.0/download"},
	{label: "my_crate@1.0.0+build.5",
		purl:        "pkg:cargo/my_crate@1.0.0%2Bbuild.5?vcs_url=git%2Bhttps:%2F%2Fgit.example.com%2Fteam%2Fmy_crate.git%404f1b5c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",
		spdxLicense: "Apache-2.0 WITH LLVM-exception", cdxLicense: "Apache-2.0 WITH LLVM-exception",
		download: "git+https://git.example.com/team/my_crate.git@4f1b5c0e2d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"},
	{label: "internal-auth@2.1.0",
		purl:        "pkg:cargo/internal-auth@2.1.0?repository_url=https:%2F%2Fcrates.example.com%2Findex%2F",
		spdxLicense: noAssertion, cdxLicense: "name: Proprietary",
		checksum: "9c8e3a1b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c",
		download: noAssertion},
	{label: "util@0.1.0 (path)", spdxLicense: noAssertion, download: noAssertion},
}

// checkNoLeaks fails when doc holds the fixture's git credentials or a
// machine's absolute paths.
func checkNoLeaks(t *testing.T, doc []byte) {
	t.Helper()
	for _, s := range []string{"s3cr3t", "deploy:", "deploy@", "/home/dev", "file://"} {
		if bytes.Contains(doc, []byte(s)) {
			i := bytes.Index(doc, []byte(s))
			t.Errorf("document holds %q: ...%s...", s, doc[max(0, i-60):min(len(doc), i+60)])
		}
	}
}

// isSPDXDownloadLocation reports whether s is what SPDX 2.3 allows as a
// downloadLocation: NONE, NOASSERTION, a URL, or VCS+URL[@REV][#PATH].
func isSPDXDownloadLocation(s string) bool {
	switch {
	case s == "NONE" || s == noAssertion:
		return true
	case strings.HasPrefix(s, "https://"), strings.HasPrefix(s, "http://"):
		return !strings.ContainsAny(s, " ")
	case strings.HasPrefix(s, "git+"):
		return strings.Contains(s, "://") && !strings.ContainsAny(s, " ")
	}
	return false
}

// firstDiff shows where two documents first differ, by line.
func firstDiff(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := range max(len(wl), len(gl)) {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + strconv.Itoa(i+1) + ":\n want " + string(w) + "\n  got " + string(g)
		}
	}
	return "(same lines)"
}

// kindOf is the kind of document of format f, which must have one.
func kindOf(t *testing.T, f attest.Format) attest.Kind {
	t.Helper()
	k, ok := attest.KindOf(f)
	if !ok {
		t.Fatalf("no kind of document is %q", f)
	}
	return k
}
