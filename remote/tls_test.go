package remote

import (
	"context"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testregistry"
	"oras.land/oras-go/v2/registry/remote/auth"
)

const (
	testUser     = "alice"
	testPassword = "s3cret-pw"
)

func TestTLSAuthRegistry(t *testing.T) {
	t.Parallel()
	reg := testregistry.Start(t, testregistry.Options{TLS: true, Users: map[string]string{testUser: testPassword}})
	certs := certDirFor(t, reg)
	src := newStore(t)
	img := writeImage(t, src, linuxAmd64, "tls auth")
	good := auth.StaticCredential(reg.Host, auth.Credential{Username: testUser, Password: testPassword})
	bad := auth.StaticCredential(reg.Host, auth.Credential{Username: testUser, Password: "wrong-pw"})

	// Push the image once with the right setup, so that pulls have
	// something to find.
	ctx := context.Background()
	if _, err := New(Options{Credential: good, CertDirs: []string{certs}}).Push(ctx, src, img.manifest, mustNamed(t, reg.Host+"/app"), PushOptions{Tags: []string{"v1"}}); err != nil {
		t.Fatalf("push with credentials and CA: %v", err)
	}

	tests := []struct {
		name    string
		opts    Options
		wantErr []string // all must appear; nil means success
		wantIs  error
	}{
		{"credentials and CA", Options{Credential: good, CertDirs: []string{certs}}, nil, nil},
		{"wrong password", Options{Credential: bad, CertDirs: []string{certs}}, []string{"401", "docker login"}, ErrCredentialsRefused},
		// Not logged in at all: the most common case needs the hint most.
		{"no credentials", Options{CertDirs: []string{certs}}, []string{"docker login"}, ErrNoCredentials},
		{"untrusted CA", Options{Credential: good}, []string{"not trusted"}, ErrUntrusted},
		{"CA for another host", Options{Credential: good, CertDirs: []string{t.TempDir()}}, []string{"not trusted"}, ErrUntrusted},
		{"insecure without CA", Options{Credential: good, Insecure: func(h string) bool { return h == reg.Host }}, nil, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := reg.Host + "/push" + string(rune('a'+i))
			var log syncBuffer
			tt.opts.Log = &log
			c := New(tt.opts)
			_, pushErr := c.Push(ctx, src, img.manifest, mustNamed(t, repo), PushOptions{Tags: []string{"v1"}})
			dst := newStore(t)
			base, pullErr := New(tt.opts).PullBase(ctx, reg.Host+"/app:v1", linuxAmd64, dst)
			for _, op := range []struct {
				name string
				err  error
			}{{"push", pushErr}, {"pull", pullErr}} {
				if tt.wantErr == nil {
					if op.err != nil {
						t.Errorf("%s: %v", op.name, op.err)
					}
					continue
				}
				if op.err == nil {
					t.Errorf("%s succeeded, want an error mentioning %q", op.name, tt.wantErr)
					continue
				}
				if !errors.Is(op.err, tt.wantIs) {
					t.Errorf("%s error is not %v: %v", op.name, tt.wantIs, op.err)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(op.err.Error(), want) {
						t.Errorf("%s error does not mention %q: %v", op.name, want, op.err)
					}
				}
			}
			if tt.wantErr == nil {
				if pullErr == nil && base.Manifest.Digest != img.manifest.Digest {
					t.Errorf("pulled %s, want %s", base.Manifest.Digest, img.manifest.Digest)
				}
				assertSameBlobs(t, dst, src, img.all()...)
				if strings.Contains(log.String(), "plain HTTP") {
					t.Errorf("client fell back to plain HTTP for a TLS registry:\n%s", log.String())
				}
				return
			}
			// Errors that another try cannot fix are not retried.
			if strings.Contains(log.String(), "retrying") {
				t.Errorf("push retried an error that cannot pass:\n%s", log.String())
			}
			assertNotInStore(t, dst, img.all()...)
		})
	}
}

func TestDebugLogHidesSecrets(t *testing.T) {
	t.Parallel()
	reg := testregistry.Start(t, testregistry.Options{TLS: true, Users: map[string]string{testUser: testPassword}})
	certs := certDirFor(t, reg)
	src := newStore(t)
	img := writeImage(t, src, linuxAmd64, "debug secrets")
	var debug syncBuffer
	c := New(Options{
		Credential: auth.StaticCredential(reg.Host, auth.Credential{Username: testUser, Password: testPassword}),
		CertDirs:   []string{certs},
		Debug:      &debug,
	})
	ctx := context.Background()
	if _, err := c.Push(ctx, src, img.manifest, mustNamed(t, reg.Host+"/app"), PushOptions{Tags: []string{"v1"}}); err != nil {
		t.Fatalf("push: %v", err)
	}
	if _, err := c.PullBase(ctx, reg.Host+"/app:v1", linuxAmd64, newStore(t)); err != nil {
		t.Fatalf("pull: %v", err)
	}
	out := debug.String()
	if !strings.Contains(out, "http: ") {
		t.Fatalf("debug log has no request lines:\n%s", out)
	}
	for _, want := range []string{"http: PUT https://" + reg.Host + "/v2/app/manifests/v1 -> 201", "http: HEAD https://" + reg.Host + "/v2/app/manifests/v1 -> 200"} {
		if !strings.Contains(out, want) {
			t.Errorf("debug log lacks %q:\n%s", want, out)
		}
	}
	basic := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPassword))
	for _, secret := range []string{testPassword, basic, "Authorization", "authorization", "Basic "} {
		if strings.Contains(out, secret) {
			t.Errorf("debug log contains %q:\n%s", secret, out)
		}
	}
	// Upload URLs carry the registry's signed upload state: it is redacted.
	states := regexp.MustCompile(`_state=([^&\s]*)`).FindAllStringSubmatch(out, -1)
	if len(states) == 0 {
		t.Errorf("debug log shows no upload URL with _state:\n%s", out)
	}
	for _, m := range states {
		if m[1] != "REDACTED" {
			t.Errorf("debug log shows _state=%s", m[1])
		}
	}
}
