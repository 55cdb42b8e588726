package e2e

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"github.com/docker-krust/docker-krust/internal/testtools"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/oci"
	"github.com/google/go-containerregistry/pkg/registry"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

const (
	bundleArtifact = "application/vnd.dev.sigstore.bundle.v0.3+json"
	signPassword   = "correct horse battery staple"
)

// cosignTool returns the cosign that make test-tools builds.
func cosignTool(t *testing.T) string {
	t.Helper()
	path, err := testtools.Cosign()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// cosignKeys makes a key pair with cosign generate-key-pair in a new
// directory and returns the paths of the private and the public key.
func cosignKeys(t *testing.T, cosign string) (key, pub string) {
	t.Helper()
	dir := t.TempDir()
	res := run(t, dir, []string{"COSIGN_PASSWORD=" + signPassword}, cosign, "generate-key-pair")
	if res.code != 0 {
		t.Fatalf("cosign generate-key-pair: %s", res.stderr)
	}
	return filepath.Join(dir, "cosign.key"), filepath.Join(dir, "cosign.pub")
}

// ed25519Keys writes an unencrypted PKCS#8 Ed25519 key and its public key.
func ed25519Keys(t *testing.T) (key, pub string) {
	t.Helper()
	pubKey, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pubKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	key, pub = filepath.Join(dir, "ed25519.key"), filepath.Join(dir, "ed25519.pub")
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	writeFile(t, pub, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})))
	return key, pub
}

// cosignVerify runs cosign verify (or verify-attestation with args)
// against ref with the public key pub, offline, and returns its result.
func cosignVerify(t *testing.T, cosign, pub, ref string, args ...string) result {
	t.Helper()
	command := "verify"
	if len(args) > 0 {
		command = "verify-attestation"
	}
	all := append([]string{command, "--key", pub, "--insecure-ignore-tlog", "--allow-insecure-registry"}, args...)
	return run(t, "", nil, cosign, append(all, ref)...)
}

// startReferrersRegistry serves go-containerregistry's registry, which has
// the referrers API, on 127.0.0.1 for the test.
func startReferrersRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestSignedBuildVerifiesWithCosign: an index of two platforms built with
// a cosign key is verified by cosign v3.1.3 with the public key and no
// network: pushed by the build to distribution 2.8 (referrers tag schema),
// and pushed later from its layout by krust push to a registry with the
// referrers API; the index and each platform's manifest carry a
// signature, each manifest its signed provenance and SBOM. Another key,
// and a signature moved onto another image, are refused.
func TestSignedBuildVerifiesWithCosign(t *testing.T) {
	for _, tool := range []string{debianCargo, "aarch64-linux-gnu-gcc"} {
		requireTool(t, tool)
	}
	cosign := cosignTool(t)
	key, pub := cosignKeys(t, cosign)
	_, otherPub := ed25519Keys(t)
	project := copyExample(t, t.TempDir())
	if err := os.Remove(filepath.Join(project, "Cargo.lock")); err != nil { // Debian's cargo 1.65 cannot read it
		t.Fatal(err)
	}
	reg := testregistry.Start(t, testregistry.Options{})
	dir := filepath.Join(t.TempDir(), "layout")
	env := append(isolatedEnv(t), "PATH=/usr/bin:"+os.Getenv("PATH"), "COSIGN_PASSWORD="+signPassword)
	res := krust(t, project, env, "build", "-v", "--libc", "glibc", "--base", "scratch", "--cargo", debianCargo,
		"--platform", "linux/amd64,linux/arm64", "--sign-key", key, "--tag", "v1", "--oci-layout", dir,
		"--repo", reg.Host+"/team", "--insecure-registry", reg.Host)
	ref := pushedRef(t, res, reg.Host+"/team/hello-krust")
	if strings.Contains(res.stderr, signPassword) {
		t.Error("stderr shows the key's password")
	}
	index, manifests := layoutIndex(t, dir, "v1")
	if !strings.HasSuffix(ref, "@"+index.Digest.String()) || len(manifests) != 2 {
		t.Fatalf("pushed %s, layout index %s with %d manifests", ref, index.Digest, len(manifests))
	}
	first := bundleReferrers(t, dir)
	if len(first) != 7 {
		t.Errorf("the layout lists %d bundles, want 7: the index's and each manifest's signature, each manifest's SBOM and provenance", len(first))
	}
	// ECDSA signs deterministically: the same build attaches the same
	// bundles, in the layout and in the registry, rather than more.
	if again := pushedRef(t, krust(t, project, env, "build", "--libc", "glibc", "--base", "scratch", "--cargo", debianCargo,
		"--platform", "linux/amd64,linux/arm64", "--sign-key", key, "--tag", "v1", "--oci-layout", dir,
		"--repo", reg.Host+"/team", "--insecure-registry", reg.Host), reg.Host+"/team/hello-krust"); again != ref {
		t.Fatalf("the rebuild pushed %s, the build %s", again, ref)
	}
	if now := bundleReferrers(t, dir); !equalSets(digestsOf(now), digestsOf(first)) {
		t.Errorf("the signed rebuild attached %v, the build %v", digestsOf(now), digestsOf(first))
	}

	airGap := startReferrersRegistry(t)
	carried := filepath.Join(t.TempDir(), "carried")
	mustRun(t, "", "cp", "-a", dir, carried)
	later := pushedRef(t, krust(t, "", isolatedEnv(t), "push", "--insecure-registry", airGap, "oci:"+carried+":v1", airGap+"/other/app:v1"), airGap+"/other/app")

	for _, image := range []string{ref, later} {
		repo, _, _ := strings.Cut(image, "@")
		subjects := []string{image}
		for _, m := range manifests {
			subjects = append(subjects, repo+"@"+m.Digest.String())
		}
		for _, s := range subjects {
			if r := cosignVerify(t, cosign, pub, s); r.code != 0 {
				t.Errorf("cosign verify %s: exit %d\n%s", s, r.code, r.stderr)
			}
			if r := cosignVerify(t, cosign, otherPub, s); r.code == 0 {
				t.Errorf("cosign verify %s with another key succeeded", s)
			}
		}
		if r := krust(t, "", nil, "verify", "--key", pub, "--insecure-registry", strings.Split(image, "/")[0], image); r.code != 0 || r.stdout != image+"\n" {
			t.Errorf("krust verify %s: exit %d, stdout %q\n%s", image, r.code, r.stdout, r.stderr)
		}
		if r := krust(t, "", nil, "verify", "--key", otherPub, "--insecure-registry", strings.Split(image, "/")[0], image); r.code == 0 || r.stdout != "" {
			t.Errorf("krust verify %s with another key: exit %d, stdout %q", image, r.code, r.stdout)
		}
		for _, s := range subjects[1:] {
			for _, typ := range []string{"slsaprovenance1", "spdxjson"} {
				r := cosignVerify(t, cosign, pub, s, "--type", typ)
				if r.code != 0 {
					t.Errorf("cosign verify-attestation --type %s %s: exit %d\n%s", typ, s, r.code, r.stderr)
				}
			}
		}
	}

	moved := moveSignature(t, carried, manifests[0])
	movedRef := pushedRef(t, krust(t, "", isolatedEnv(t), "push", "--insecure-registry", airGap, "oci:"+carried+":moved", airGap+"/moved/app:v1"), airGap+"/moved/app")
	if !strings.HasSuffix(movedRef, moved.Digest.String()) {
		t.Fatalf("pushed %s, want the image with the moved signature %s", movedRef, moved.Digest)
	}
	// The registry lists the moved signature: cosign reads it, and must
	// refuse it. (go-containerregistry's registry lists a referrer's
	// config media type as its artifactType.)
	if found := orasDiscover(t, movedRef, "--plain-http"); len(found) != 1 || found[0].Annotations["dev.sigstore.bundle.content"] != "dsse-envelope" {
		t.Fatalf("oras discover %s finds %v, want the moved signature", movedRef, found)
	}
	if r := cosignVerify(t, cosign, pub, movedRef); r.code == 0 {
		t.Errorf("cosign verify accepted a signature moved to another image:\n%s", r.stderr)
	}
	for _, image := range []string{movedRef, "oci:" + carried + ":moved"} {
		if r := krust(t, "", nil, "verify", "--key", pub, "--insecure-registry", airGap, image); r.code == 0 || !strings.Contains(r.stderr, "no signature this key verifies") {
			t.Errorf("krust verify accepted a signature moved to another image, %s: exit %d\n%s", image, r.code, r.stderr)
		}
	}
	if r := krust(t, "", nil, "verify", "--key", pub, "oci:"+dir+":v1"); r.code != 0 || !strings.Contains(r.stderr, "linux/arm64 manifest") || !strings.Contains(r.stderr, "spdxjson attestation (1)") {
		t.Errorf("krust verify of the build's layout: exit %d\n%s", r.code, r.stderr)
	} else {
		checkVerifiedLayoutName(t, r.stdout, "oci:"+dir+":v1")
	}
	// A manifest changed in place, under its old digest, is refused.
	tampered := filepath.Join(t.TempDir(), "tampered")
	mustRun(t, "", "cp", "-a", dir, tampered)
	blob := filepath.Join(tampered, "blobs", "sha256", manifests[0].Digest.Encoded())
	data := readFileBytes(t, blob)
	if err := os.Chmod(blob, 0o644); err != nil {
		t.Fatal(err)
	}
	writeFile(t, blob, strings.Replace(string(data), `"schemaVersion":2`, `"schemaVersion":2,"tampered":true`, 1))
	if r := krust(t, "", nil, "verify", "--key", pub, "oci:"+tampered+":v1"); r.code == 0 || r.stdout != "" {
		t.Errorf("krust verify accepted a layout whose signed manifest was changed: exit %d\n%s", r.code, r.stderr)
	}
}

// layoutIndex returns the index tag names in dir, and its manifests.
func layoutIndex(t *testing.T, dir, tag string) (ocispec.Descriptor, []ocispec.Descriptor) {
	t.Helper()
	ctx := context.Background()
	l, err := layout.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := l.Resolve(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	var idx ocispec.Index
	data, err := oci.ReadBlob(ctx, l, desc, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &idx); err != nil {
		t.Fatal(err)
	}
	return desc, idx.Manifests
}

// bundleReferrers returns the Sigstore bundles dir's index.json lists.
func bundleReferrers(t *testing.T, dir string) []ocispec.Descriptor {
	t.Helper()
	var out []ocispec.Descriptor
	for _, r := range layoutReferrers(t, dir) {
		if r.ArtifactType == bundleArtifact {
			out = append(out, r)
		}
	}
	return out
}

// moveSignature writes, into the layout dir, another image (manifest with
// an annotation added) tagged "moved", and attaches to it the signature
// bundle of manifest, as an attacker who copies a signature would.
func moveSignature(t *testing.T, dir string, manifest ocispec.Descriptor) ocispec.Descriptor {
	t.Helper()
	ctx := context.Background()
	l, err := layout.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := oci.ReadBlob(ctx, l, manifest, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	m.Annotations = map[string]string{"tampered": "yes"}
	other := writeJSONBlob(t, l, ocispec.MediaTypeImageManifest, m)
	var bundle ocispec.Descriptor
	for _, r := range bundleReferrers(t, dir) {
		var ref ocispec.Manifest
		if err := json.Unmarshal(readBlobData(t, l, r), &ref); err != nil {
			t.Fatal(err)
		}
		if ref.Subject.Digest == manifest.Digest && ref.Annotations["dev.sigstore.bundle.predicateType"] == "https://sigstore.dev/cosign/sign/v1" {
			bundle = ref.Layers[0]
		}
	}
	if bundle.Digest == "" {
		t.Fatalf("no signature of %s in %s", manifest.Digest, dir)
	}
	referrer := writeJSONBlob(t, l, ocispec.MediaTypeImageManifest, oci.NewReferrer(bundleArtifact, other, bundle, map[string]string{
		"dev.sigstore.bundle.content": "dsse-envelope", "dev.sigstore.bundle.predicateType": "https://sigstore.dev/cosign/sign/v1"}))
	if err := l.Apply(ctx, layout.Update{Desc: other, Tags: []string{"moved"}, Referrers: []ocispec.Descriptor{referrer}}); err != nil {
		t.Fatal(err)
	}
	return other
}

func writeJSONBlob(t *testing.T, l *layout.Layout, mediaType string, v any) ocispec.Descriptor {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := l.WriteBlob(context.Background(), mediaType, data)
	if err != nil {
		t.Fatal(err)
	}
	return desc
}

func readBlobData(t *testing.T, l *layout.Layout, desc ocispec.Descriptor) []byte {
	t.Helper()
	data, err := oci.ReadBlob(context.Background(), l, desc, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestSigningKeyProblemsStopBeforeCargo: every key problem is an error
// naming the key file, with nothing on stdout, no layout and nothing
// compiled; the password and the key never show, even with -v.
func TestSigningKeyProblemsStopBeforeCargo(t *testing.T) {
	cosign := cosignTool(t)
	key, _ := cosignKeys(t, cosign)
	dir := t.TempDir()
	p384 := filepath.Join(dir, "p384.key")
	mustRun(t, "", "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", p384)
	pubOnly := filepath.Join(dir, "cosign.pub")
	mustRun(t, "", "cp", strings.TrimSuffix(key, ".key")+".pub", pubOnly)
	keyPEM := readFileBytes(t, key)
	cases := []struct {
		name, key string
		env       []string
		want      []string
	}{
		{"wrong password", key, []string{"COSIGN_PASSWORD=not the password"}, []string{key, "wrong password"}},
		{"no password and no terminal", key, nil, []string{key, "COSIGN_PASSWORD"}},
		{"missing file", filepath.Join(dir, "missing.key"), nil, []string{"missing.key", "no such file"}},
		{"a public key", pubOnly, nil, []string{pubOnly, `"PUBLIC KEY"`}},
		{"a curve cosign does not verify as krust signs", p384, nil, []string{p384, "P-384", "cosign generate-key-pair"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			project := copyExample(t, t.TempDir())
			layoutDir := filepath.Join(t.TempDir(), "layout")
			env := append(isolatedEnv(t), c.env...)
			// setsid: no controlling terminal, as in CI, so nothing is asked.
			res := run(t, project, env, "setsid", append([]string{"-w", filepath.Join(h.binDir, "krust")}, "build", "-v", "--no-push", "--libc", "glibc",
				"--base", "scratch", "--sign-key", c.key, "--oci-layout", layoutDir)...)
			if res.code == 0 || res.stdout != "" {
				t.Fatalf("exit %d, stdout %q: want a failure and nothing on stdout", res.code, res.stdout)
			}
			for _, w := range c.want {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, res.stderr)
				}
			}
			assertNoLayout(t, layoutDir)
			assertNoLayout(t, filepath.Join(project, "target", "release"))
			assertNoLayout(t, filepath.Join(project, "target", "x86_64-unknown-linux-gnu"))
			for _, secret := range []string{signPassword, "not the password", string(keyPEM[40:80])} {
				if strings.Contains(res.stderr, secret) {
					t.Errorf("stderr shows a secret %q:\n%s", secret, res.stderr)
				}
			}
		})
	}
}

// TestSignedRebuildReplacesItsOwnSignatures: an Ed25519 PKCS#8 key named
// by the krust config (relative to it) signs; cosign verifies; a rebuild
// of the same image replaces krust's bundles and keeps another tool's
// signature in the layout; the signed statements are the same bytes.
func TestSignedRebuildReplacesItsOwnSignatures(t *testing.T) {
	cosign := cosignTool(t)
	key, pub := ed25519Keys(t)
	env := isolatedEnv(t)
	var home string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			home = v
		}
	}
	writeFile(t, filepath.Join(home, "krust", "signing.key"), string(readFileBytes(t, key)))
	if err := os.Chmod(filepath.Join(home, "krust", "signing.key"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(home, "krust", "config.toml"), "sign_key = \"signing.key\"\n")
	// The password of an encrypted key is not cargo's: a build script or
	// option_env! would put it into the binary.
	env = append(env, "COSIGN_PASSWORD="+signPassword)
	project := copyExample(t, t.TempDir())
	writeFile(t, filepath.Join(project, "src", "main.rs"), `fn main() { println!("{}", option_env!("COSIGN_PASSWORD").unwrap_or("none")); }`+"\n")
	dir := filepath.Join(t.TempDir(), "layout")
	build := func() result {
		res := krust(t, project, env, "build", "--no-push", "--libc", "glibc", "--base", "scratch", "--tag", "v1", "--oci-layout", dir)
		ociRef(t, res, "v1")
		return res
	}
	first := build()
	if !strings.Contains(first.stderr, "can be read by other users") {
		t.Errorf("no warning about a key others can read:\n%s", first.stderr)
	}
	requireTool(t, "umoci")
	unpacked := filepath.Join(t.TempDir(), "bundle")
	mustRun(t, "", "umoci", "unpack", "--rootless", "--image", dir+":v1", unpacked)
	if out := mustRun(t, "", filepath.Join(unpacked, "rootfs", "app", "hello-krust")); out != "none\n" {
		t.Errorf("the binary saw the password at build time: it printed %q", out)
	}
	bundles := bundleReferrers(t, dir)
	if len(bundles) != 3 {
		t.Fatalf("the layout lists %d bundles, want 3: the signature, the SBOM and the provenance", len(bundles))
	}
	unsigned := filepath.Join(t.TempDir(), "unsigned")
	ociRef(t, krust(t, project, env, "build", "--no-push", "--libc", "glibc", "--base", "scratch", "--tag", "v1", "--oci-layout", unsigned, "--sign-key", "none"), "v1")
	if n := len(bundleReferrers(t, unsigned)); n != 0 {
		t.Errorf("--sign-key none, with sign_key in the krust config: %d bundles", n)
	}
	firstPayloads := signedPayloads(t, dir)

	// Another tool's signature on the same image stays.
	l, err := layout.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	image, err := l.Resolve(context.Background(), "v1")
	if err != nil {
		t.Fatal(err)
	}
	theirs := writeJSONBlob(t, l, ocispec.MediaTypeImageManifest, oci.NewReferrer(bundleArtifact, image,
		writeJSONBlob(t, l, bundleArtifact, map[string]string{"mediaType": bundleArtifact}), nil))
	if err := l.Apply(context.Background(), layout.Update{Referrers: []ocispec.Descriptor{theirs}}); err != nil {
		t.Fatal(err)
	}
	build()
	again := bundleReferrers(t, dir)
	if len(again) != 4 || !containsDigest(again, theirs) {
		t.Errorf("after the rebuild the layout lists %v, want 3 bundles of krust's and the other tool's %s", digestsOf(again), theirs.Digest)
	}
	if got := signedPayloads(t, dir); !equalSets(got, firstPayloads) {
		t.Errorf("the rebuild signed other statements:\n%v\nwant\n%v", got, firstPayloads)
	}

	reg := startReferrersRegistry(t)
	ref := pushedRef(t, krust(t, "", env, "push", "--insecure-registry", reg, "oci:"+dir+":v1", reg+"/ed/app:v1"), reg+"/ed/app")
	if r := cosignVerify(t, cosign, pub, ref); r.code != 0 {
		t.Errorf("cosign verify of an Ed25519 signature: exit %d\n%s", r.code, r.stderr)
	}
	if r := cosignVerify(t, cosign, pub, ref, "--type", "slsaprovenance1"); r.code != 0 {
		t.Errorf("cosign verify-attestation of an Ed25519 signature: exit %d\n%s", r.code, r.stderr)
	}
	// A rebuild of another image leaves the old image's signatures to gc,
	// as its documents are.
	writeFile(t, filepath.Join(project, "src", "main.rs"), `fn main() { println!("changed"); }`+"\n")
	build()
	if now := bundleReferrers(t, dir); len(now) != 3 || containsDigest(now, bundles[0]) {
		t.Errorf("after building another image the layout lists %v, want its 3 bundles alone", digestsOf(now))
	}
	if r := krust(t, "", env, "gc", dir); r.code != 0 {
		t.Fatalf("krust gc: exit %d\n%s", r.code, r.stderr)
	}
	for _, b := range append(bundles, theirs) {
		if _, err := os.Stat(filepath.Join(dir, "blobs", "sha256", b.Digest.Encoded())); !os.IsNotExist(err) {
			t.Errorf("gc kept the old image's bundle %s (stat: %v)", b.Digest, err)
		}
	}
	if r := krust(t, "", nil, "verify", "--key", pub, "oci:"+dir+":v1"); r.code != 0 {
		t.Errorf("krust verify after gc: exit %d\n%s", r.code, r.stderr)
	}

	// cosign's own layout of the pushed image, verified from it offline.
	saved := filepath.Join(t.TempDir(), "saved")
	mustRun(t, "", cosign, "save", "--allow-insecure-registry", "--dir", saved, ref)
	for _, args := range [][]string{{"verify"}, {"verify-attestation", "--type", "spdxjson"}} {
		all := append(args, "--key", pub, "--insecure-ignore-tlog", "--local-image", saved)
		if r := run(t, "", nil, cosign, all...); r.code != 0 {
			t.Errorf("cosign %s --local-image after cosign save: exit %d\n%s", args[0], r.code, r.stderr)
		}
	}
}

// signedPayloads returns the DSSE payloads of krust's bundles in dir.
func signedPayloads(t *testing.T, dir string) []string {
	t.Helper()
	l, err := layout.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range bundleReferrers(t, dir) {
		var m ocispec.Manifest
		if err := json.Unmarshal(readBlobData(t, l, r), &m); err != nil {
			t.Fatal(err)
		}
		if m.Annotations["dev.docker-krust.signed"] == "" {
			continue
		}
		var b struct {
			DSSEEnvelope struct{ Payload []byte } `json:"dsseEnvelope"`
		}
		if err := json.Unmarshal(readBlobData(t, l, m.Layers[0]), &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b.DSSEEnvelope.Payload))
	}
	return out
}

func containsDigest(ds []ocispec.Descriptor, d ocispec.Descriptor) bool {
	for _, x := range ds {
		if x.Digest == d.Digest {
			return true
		}
	}
	return false
}

func equalSets(a, b []string) bool {
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestLegacySignaturesVerifyWithCosign: --sign-format legacy writes
// cosign's sha256-HEX.sig image, in the layout and pushed to distribution
// 2.8, which cosign verifies in its legacy mode and krust verify too; a
// signed rebuild pushed again replaces krust's own signature in the
// registry's sha256-HEX.sig and keeps the one cosign sign added.
func TestLegacySignaturesVerifyWithCosign(t *testing.T) {
	cosign := cosignTool(t)
	key, pub := cosignKeys(t, cosign)
	theirKey, theirPub := cosignKeys(t, cosign)
	reg := testregistry.Start(t, testregistry.Options{})
	project := copyExample(t, t.TempDir())
	dir := filepath.Join(t.TempDir(), "layout")
	env := append(isolatedEnv(t), "COSIGN_PASSWORD="+signPassword)
	build := func(key string) string {
		res := krust(t, project, env, "build", "--libc", "glibc", "--base", "scratch", "--sign-key", key, "--sign-format", "legacy", "--sbom", "cyclonedx",
			"--tag", "v1", "--oci-layout", dir, "--repo", reg.Host+"/legacy", "--insecure-registry", reg.Host)
		return pushedRef(t, res, reg.Host+"/legacy/hello-krust")
	}
	ref := build(key)
	_, hex, _ := strings.Cut(ref, "@sha256:")
	sigTag := "sha256-" + hex + ".sig"
	l, err := layout.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Resolve(context.Background(), sigTag); err != nil {
		t.Fatalf("the layout has no %s: %v", sigTag, err)
	}
	legacy := func(pub string) result {
		return run(t, "", nil, cosign, "verify", "--key", pub, "--insecure-ignore-tlog", "--allow-insecure-registry", "--new-bundle-format=false", ref)
	}
	if r := legacy(pub); r.code != 0 {
		t.Fatalf("cosign verify --new-bundle-format=false: exit %d\n%s", r.code, r.stderr)
	}
	if r := krust(t, "", nil, "verify", "--key", pub, "--insecure-registry", reg.Host, ref); r.code != 0 {
		t.Errorf("krust verify of a legacy signature: exit %d\n%s", r.code, r.stderr)
	}
	if r := cosignVerify(t, cosign, pub, ref, "--type", "cyclonedx"); r.code != 0 {
		t.Errorf("cosign verify-attestation --type cyclonedx: exit %d\n%s", r.code, r.stderr)
	}
	checkCosignV2(t, project, env, key, pub, theirPub, reg)
	if r := run(t, "", []string{"COSIGN_PASSWORD=" + signPassword}, cosign, "sign", "--key", theirKey, "--use-signing-config=false", "--tlog-upload=false",
		"--allow-insecure-registry", "--new-bundle-format=false", "-y", ref); r.code != 0 {
		t.Fatalf("cosign sign: exit %d\n%s", r.code, r.stderr)
	}
	if again := build(key); again != ref {
		t.Fatalf("the rebuild pushed %s, the first build %s", again, ref)
	}
	// Another krust user's key: their signature joins, nobody's is lost.
	secondKey, secondPub := cosignKeys(t, cosign)
	build(secondKey)
	// The layout's one image is found without a tag, its signature tag
	// aside.
	if r := krust(t, "", nil, "verify", "--key", secondPub, "oci:"+dir); r.code != 0 {
		t.Errorf("krust verify oci:DIR of a layout with a legacy signature: exit %d\n%s", r.code, r.stderr)
	} else {
		checkVerifiedLayoutName(t, r.stdout, "oci:"+dir+":v1")
	}
	for name, p := range map[string]string{"krust's": pub, "cosign's": theirPub, "the second krust key's": secondPub} {
		if r := legacy(p); r.code != 0 {
			t.Errorf("after the signed rebuild, %s signature does not verify: exit %d\n%s", name, r.code, r.stderr)
		}
	}
	status, body := testregistry.Get(t, reg.URL()+"/v2/legacy/hello-krust/manifests/"+sigTag, ocispec.MediaTypeImageManifest)
	var m ocispec.Manifest
	if err := json.Unmarshal(body, &m); status != 200 || err != nil {
		t.Fatalf("%s: %d %s", sigTag, status, body)
	}
	if len(m.Layers) != 3 {
		t.Errorf("%s holds %d signatures, want cosign's and the newest of each krust key", sigTag, len(m.Layers))
	}
}

// TestSigningKeyPasswordOnTheTerminal: without COSIGN_PASSWORD, on a
// terminal, the password of an encrypted key is asked, read without echo,
// and the build signs; Ctrl-C at the prompt ends the wait (exit 130) with
// nothing built.
func TestSigningKeyPasswordOnTheTerminal(t *testing.T) {
	requireTool(t, "script")
	cosign := cosignTool(t)
	key, pub := cosignKeys(t, cosign)
	for _, c := range []struct {
		name, answer string
		code         int
	}{{"answered", signPassword + "\r", 0}, {"interrupted", "\x03", 130}} {
		t.Run(c.name, func(t *testing.T) {
			project := copyExample(t, t.TempDir())
			dir := filepath.Join(t.TempDir(), "layout")
			line := strings.Join([]string{filepath.Join(h.binDir, "krust"), "build", "--no-push", "--libc", "glibc", "--base", "scratch",
				"--sign-key", key, "--tag", "v1", "--oci-layout", dir}, " ")
			out, code := onTerminal(t, project, line, "Password of signing key", c.answer)
			if code != c.code {
				t.Fatalf("exit %d, want %d; the terminal showed:\n%s", code, c.code, out)
			}
			if strings.Contains(out, signPassword) {
				t.Errorf("the password was echoed:\n%s", out)
			}
			if c.code != 0 {
				assertNoLayout(t, dir)
				return
			}
			if r := krust(t, "", nil, "verify", "--key", pub, "oci:"+dir+":v1"); r.code != 0 {
				t.Errorf("krust verify of the build signed with the password asked: exit %d\n%s", r.code, r.stderr)
			}
		})
	}
}

// onTerminal runs the shell command line under script(1), on a terminal
// of its own, in dir; once the terminal shows prompt, it types answer. It
// returns what the terminal showed and the command's exit status.
func onTerminal(t *testing.T, dir, line, prompt, answer string) (string, int) {
	t.Helper()
	cmd := exec.Command("script", "-q", "-e", "-c", line, "/dev/null")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), isolatedEnv(t)...)
	cmd.Env = slices.DeleteFunc(cmd.Env, func(kv string) bool { return strings.HasPrefix(kv, "COSIGN_PASSWORD=") })
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var shown strings.Builder
	buf := make([]byte, 4096)
	for !strings.Contains(shown.String(), prompt) {
		n, err := stdout.Read(buf)
		shown.Write(buf[:n])
		if err != nil {
			_ = cmd.Wait()
			t.Fatalf("the terminal closed before the prompt %q:\n%s", prompt, shown.String())
		}
	}
	if _, err := io.WriteString(stdin, answer); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stdout)
	shown.Write(rest)
	err = cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return shown.String(), cmd.ProcessState.ExitCode()
}

// checkCosignV2: cosign v2.6.5 verifies an image krust signed in the
// legacy format alone (no documents, so no bundle to take instead), with
// the empty trusted root it needs offline even for its own signatures;
// another key is refused.
func checkCosignV2(t *testing.T, project string, env []string, key, pub, otherPub string, reg *testregistry.Registry) {
	t.Helper()
	v2, err := testtools.CosignV2()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "trusted_root.json")
	mustRun(t, "", v2, "trusted-root", "create", "--out", root)
	res := krust(t, project, env, "build", "--libc", "glibc", "--base", "scratch", "--sign-key", key, "--sign-format", "legacy",
		"--sbom", "none", "--provenance", "none", "--oci-layout", filepath.Join(t.TempDir(), "v2"), "--repo", reg.Host+"/v2", "--insecure-registry", reg.Host)
	ref := pushedRef(t, res, reg.Host+"/v2/hello-krust")
	verify := func(pub string) result {
		return run(t, "", nil, v2, "verify", "--key", pub, "--insecure-ignore-tlog", "--allow-insecure-registry", "--trusted-root", root, ref)
	}
	if r := verify(pub); r.code != 0 {
		t.Errorf("cosign v2 verify of a legacy signature: exit %d\n%s", r.code, r.stderr)
	}
	if r := verify(otherPub); r.code == 0 {
		t.Error("cosign v2 verify with another key succeeded")
	}
}

// checkVerifiedLayoutName checks what krust verify of a layout printed:
// want, a reference skopeo reads (an oci: reference with a digest in it
// reads as a directory named so).
func checkVerifiedLayoutName(t *testing.T, stdout, want string) {
	t.Helper()
	if stdout != want+"\n" {
		t.Errorf("krust verify of a layout printed %q, want %q", stdout, want+"\n")
		return
	}
	if r := run(t, "", nil, "skopeo", "inspect", "--raw", want); r.code != 0 {
		t.Errorf("skopeo inspect %s, the image krust verify printed: exit %d\n%s", want, r.code, r.stderr)
	}
}
