//go:build unix

package remote

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/internal/regular"
	"github.com/docker-krust/docker-krust/internal/regular/regulartest"
)

// TestSpecialCertificateIsRefusedAtOnce puts a named pipe, a socket or a
// directory at certs.d/HOST/ca.crt: making the host's transport refuses
// it at once, naming it (a named pipe used to block the read for good).
func TestSpecialCertificateIsRefusedAtOnce(t *testing.T) {
	const host = "127.0.0.1:5999"
	for _, kind := range regulartest.Kinds {
		t.Run(kind, func(t *testing.T) {
			certs := t.TempDir()
			path := filepath.Join(certs, hostDir(host), "ca.crt")
			regulartest.Make(t, path, kind)
			c := New(Options{CertDirs: []string{certs}})
			err := regulartest.Quick(t, 10*time.Second, func() error {
				_, err := c.transport(host)
				return err
			})
			if !errors.Is(err, regular.ErrNotRegular) {
				t.Fatalf("got %v, want an error wrapping regular.ErrNotRegular", err)
			}
			for _, want := range []string{path, regulartest.Describe[kind], host} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}
