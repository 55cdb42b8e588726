package builder

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/sign"
)

func testSigningKey(t *testing.T) *sign.Key {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	k, err := sign.ParseKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestBadSignatureIsNeverWritten: a signer whose signatures do not verify
// (here: checked against another key) fails the build, and the layout
// holds no image tagged and no signature.
func TestBadSignatureIsNeverWritten(t *testing.T) {
	ctx := context.Background()
	for _, format := range sign.Formats() {
		t.Run(string(format), func(t *testing.T) {
			f, opts := newFake(t)
			proj, err := f.Metadata(ctx, opts.Dir)
			if err != nil {
				t.Fatal(err)
			}
			req := opts.Request
			if req.Package, err = proj.SelectPackage(opts.Dir, ""); err != nil {
				t.Fatal(err)
			}
			req.Project = proj
			b := &Builder{Cargo: f, Signer: testSigningKey(t), SignFormat: format, checkWith: testSigningKey(t).Public()}
			plan, err := b.Prepare(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			res, err := plan.Run(ctx)
			res.Release()
			if err == nil || !strings.Contains(err.Error(), "does not verify") {
				t.Fatalf("Run: %v, want the signature's own check to fail the build", err)
			}
			index, err := os.ReadFile(filepath.Join(plan.LayoutDir, "index.json"))
			if err == nil && strings.Contains(string(index), "org.opencontainers.image.ref.name") {
				t.Errorf("the layout tags something after a bad signature:\n%s", index)
			}
		})
	}
}
