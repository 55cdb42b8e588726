package oci

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// FuzzParsePlatform checks that a parsed platform is normalised, has a
// sensible OS and architecture, and survives a PlatformString round trip.
func FuzzParsePlatform(f *testing.F) {
	for _, s := range []string{
		"linux/amd64", "linux/arm64/v8", "LINUX/AMD64", "linux/arm/v7/extra", "linux/arm", "linux/armel",
		"linux/armhf", "linux/aarch64/V8", "  linux/x86_64\n", "windows/amd64", "linux//amd64", "linux/",
		"linux,darwin/amd64", "linux/amd 64", "linux/\u212Aarm64",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePlatform(s)
		if err != nil {
			if p.OS != "" || p.Architecture != "" || p.Variant != "" {
				t.Fatalf("ParsePlatform(%q) returned %+v with error %v", s, p, err)
			}
			return
		}
		for name, v := range map[string]string{"OS": p.OS, "Architecture": p.Architecture} {
			if v == "" || strings.ContainsAny(v, "/,") {
				t.Fatalf("ParsePlatform(%q): %s %q is empty or holds / or ,", s, name, v)
			}
		}
		if strings.ContainsAny(p.Variant, "/,") {
			t.Fatalf("ParsePlatform(%q): Variant %q holds / or ,", s, p.Variant)
		}
		if p.OSVersion != "" || len(p.OSFeatures) != 0 {
			t.Fatalf("ParsePlatform(%q) = %+v sets OS version or features", s, p)
		}
		if n := NormalizePlatform(p); n.OS != p.OS || n.Architecture != p.Architecture || n.Variant != p.Variant {
			t.Fatalf("ParsePlatform(%q) = %+v is not normalised: NormalizePlatform gives %+v", s, p, n)
		}
		if n, nn := NormalizePlatform(p), NormalizePlatform(NormalizePlatform(p)); n.OS != nn.OS ||
			n.Architecture != nn.Architecture || n.Variant != nn.Variant {
			t.Fatalf("NormalizePlatform is not idempotent on %+v: %+v then %+v", p, n, nn)
		}
		str := PlatformString(p)
		again, err := ParsePlatform(str)
		if err != nil {
			t.Fatalf("ParsePlatform(%q) = %+v, but its string %q does not parse: %v", s, p, str, err)
		}
		if again.OS != p.OS || again.Architecture != p.Architecture || again.Variant != p.Variant ||
			!SamePlatform(p, again) {
			t.Fatalf("ParsePlatform(%q) = %+v, but its string %q parses to %+v", s, p, str, again)
		}
		if PlatformString(again) != str {
			t.Fatalf("PlatformString is not stable: %q then %q", str, PlatformString(again))
		}
	})
}

// maxFuzzEpoch bounds the layer timestamp: 2^33 s is just past what a
// ustar header can hold, so both header encodings are exercised.
const maxFuzzEpoch = int64(1) << 33

// FuzzWriteLayer checks that a one-file layer is a valid gzip+tar stream
// holding exactly the file and its parent directories, that the returned
// digests and size match the bytes, and that writing is reproducible.
func FuzzWriteLayer(f *testing.F) {
	f.Add("app/hello", []byte("#!/bin/sh\necho hello\n"), int64(1714979289))
	f.Add("/usr/local/bin/hello-krust", []byte("\x7fELF\x02\x01\x01"), int64(0))
	f.Add("etc/ssl/certs/ca-certificates.crt", []byte{}, int64(8589934591))
	f.Add("a/../b", []byte("x"), int64(1))
	f.Add("dir/", []byte("x"), int64(1))
	f.Add(strings.Repeat("long/", 40)+"name", []byte("deep"), int64(1)<<33)
	f.Add("caf\u00e9/\xff", []byte("not utf-8"), int64(-5))
	f.Fuzz(func(t *testing.T, name string, content []byte, epoch int64) {
		epoch = min(max(epoch, 0), maxFuzzEpoch)
		modTime := time.Unix(epoch, 0).UTC()
		write := func() ([]byte, Layer, error) {
			var buf bytes.Buffer
			l, err := WriteLayer(&buf, []File{{Path: name, Size: int64(len(content)), Content: bytes.NewReader(content)}}, modTime)
			return buf.Bytes(), l, err
		}
		blob, layer, err := write()
		if err != nil {
			return
		}
		clean := strings.TrimPrefix(name, "/")
		if clean == "" || path.Clean("/"+name) != "/"+clean {
			t.Fatalf("WriteLayer accepted the unclean path %q", name)
		}

		if got := sha256Hex(blob); layer.Descriptor.Digest.String() != "sha256:"+got {
			t.Fatalf("descriptor digest %s, want sha256:%s", layer.Descriptor.Digest, got)
		}
		if layer.Descriptor.Size != int64(len(blob)) {
			t.Fatalf("descriptor size %d, want %d", layer.Descriptor.Size, len(blob))
		}
		if layer.Descriptor.MediaType != ocispec.MediaTypeImageLayerGzip {
			t.Fatalf("media type %q", layer.Descriptor.MediaType)
		}

		raw, entries := readLayer(t, blob, modTime)
		if got := sha256Hex(raw); layer.DiffID.String() != "sha256:"+got {
			t.Fatalf("DiffID %s, want sha256:%s", layer.DiffID, got)
		}
		var want []tarEntry
		for dir := path.Dir(clean); dir != "."; dir = path.Dir(dir) {
			want = append([]tarEntry{{dir + "/", tar.TypeDir, 0o755, ""}}, want...)
		}
		want = append(want, tarEntry{clean, tar.TypeReg, 0o644, string(content)})
		if !slices.Equal(entries, want) {
			t.Fatalf("layer entries %+v, want %+v", entries, want)
		}

		blob2, layer2, err := write()
		if err != nil {
			t.Fatalf("second WriteLayer failed: %v", err)
		}
		if !bytes.Equal(blob, blob2) || layer.Descriptor.Digest != layer2.Descriptor.Digest || layer.DiffID != layer2.DiffID {
			t.Fatalf("WriteLayer is not reproducible for %q", name)
		}
	})
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
