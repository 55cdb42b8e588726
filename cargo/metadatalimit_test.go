package cargo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMetadataOutputIsBounded runs real cargo metadata on a workspace
// whose members carry so much [package.metadata] that its output passes
// MaxMetadataBytes: krust stops reading and says why.
func TestMetadataOutputIsBounded(t *testing.T) {
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Skip("cargo not installed")
	}
	dir := t.TempDir()
	const perMember = 120 << 10 // under config.MaxTOMLBytes, as each member may be
	members := MaxMetadataBytes/perMember + 10
	names := make([]string, members)
	blob := "[package.metadata.docs]\nnotes = \"" + strings.Repeat("n", perMember) + "\"\n"
	for i := range names {
		names[i] = fmt.Sprintf("\"m%d\"", i)
		writeTestFile(t, filepath.Join(dir, fmt.Sprintf("m%d", i), "Cargo.toml"),
			fmt.Sprintf("[package]\nname = \"m%d\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n%s", i, blob))
		writeTestFile(t, filepath.Join(dir, fmt.Sprintf("m%d", i), "src", "lib.rs"), "")
	}
	writeTestFile(t, filepath.Join(dir, "Cargo.toml"), "[workspace]\nresolver = \"2\"\nmembers = ["+strings.Join(names, ", ")+"]\n")
	c := Cargo{Env: os.Environ()}
	start := time.Now()
	p, err := c.Metadata(context.Background(), dir)
	if err == nil {
		t.Fatalf("Metadata read %d packages, want the output refused", len(p.Packages))
	}
	for _, want := range []string{filepath.Join(dir, "Cargo.toml"), "more than the 33554432 bytes", "[package.metadata]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	t.Logf("refused after %v: %v", time.Since(start), err)
}

func TestParseMetadataIsBounded(t *testing.T) {
	pad := strings.Repeat(" ", MaxMetadataBytes)
	doc := `{"workspace_root":"/w","target_directory":"/w/target","packages":[]}`
	if _, err := ParseMetadata([]byte(doc + pad[:MaxMetadataBytes-len(doc)])); err != nil {
		t.Fatalf("ParseMetadata of exactly %d bytes: %v", MaxMetadataBytes, err)
	}
	_, err := ParseMetadata([]byte(doc + pad[:MaxMetadataBytes-len(doc)+1]))
	if err == nil || !strings.Contains(err.Error(), "33554432") {
		t.Fatalf("ParseMetadata of %d bytes = %v, want it refused naming the limit", MaxMetadataBytes+1, err)
	}
}

func writeTestFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkParseMetadata decodes cargo metadata output at MaxMetadataBytes,
// packages with targets, dependencies and a [package.metadata] table:
//
//	go test ./cargo -run '^$' -bench BenchmarkParseMetadata -benchtime 5x
func BenchmarkParseMetadata(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"workspace_root":"/w","target_directory":"/w/target","packages":[`)
	for i := 0; sb.Len() < MaxMetadataBytes-4096; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"name":"m%d","version":"0.1.0","manifest_path":"/w/m%d/Cargo.toml","targets":[{"name":"m%d","kind":["bin"],"src_path":"/w/m%d/src/main.rs"}],`, i, i, i, i)
		sb.WriteString(`"dependencies":[`)
		for d := range 20 {
			if d > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"name":"dep%d","req":"^1.0","kind":null,"optional":false,"features":["std"]}`, d)
		}
		sb.WriteString(`],"metadata":{"docs":{"all-features":true,"notes":"` + strings.Repeat("x", 512) + `"}}}`)
	}
	sb.WriteString(`]}`)
	data := []byte(sb.String())
	for b.Loop() {
		if _, err := ParseMetadata(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "bytes")
}
