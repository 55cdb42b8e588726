package layout

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
)

// TestErrorsAreOrasSentinels checks that every failure oras-go has a
// sentinel for is reported with an error that errors.Is matches against
// it as well as against this package's own sentinel, so that a caller
// holding the layout as an oras content.Storage tests one error.
func TestErrorsAreOrasSentinels(t *testing.T) {
	ctx := context.Background()
	data := []byte("some blob")
	tests := []struct {
		name string
		op   func(t *testing.T, l *Layout) error
		want []error
	}{
		{"Push of a blob already there", func(t *testing.T, l *Layout) error {
			d := pushBytes(t, l, data)
			return l.Push(ctx, d, bytes.NewReader(data))
		}, []error{errdef.ErrAlreadyExists}},
		{"Push of content that does not match", func(t *testing.T, l *Layout) error {
			return l.Push(ctx, descFor("x", data), strings.NewReader("other blob"))
		}, []error{ErrDigestMismatch, content.ErrMismatchedDigest}},
		{"Fetch of a missing blob", func(t *testing.T, l *Layout) error {
			_, err := l.Fetch(ctx, descFor("x", data))
			return err
		}, []error{errdef.ErrNotFound}},
		{"Fetch of a damaged blob", func(t *testing.T, l *Layout) error {
			d := pushBytes(t, l, data)
			writeFile(t, filepath.Join(l.Dir(), "blobs", "sha256", d.Digest.Encoded()), "damaged!!")
			rc, err := l.Fetch(ctx, d)
			if err != nil {
				return err
			}
			defer rc.Close()
			_, err = io.ReadAll(rc)
			return err
		}, []error{ErrCorruptBlob, ErrDigestMismatch, content.ErrMismatchedDigest}},
		{"Resolve of a missing tag", func(t *testing.T, l *Layout) error {
			_, err := l.Resolve(ctx, "absent")
			return err
		}, []error{errdef.ErrNotFound}},
		{"Tag of a missing manifest", func(t *testing.T, l *Layout) error {
			return l.Tag(ctx, descFor(ocispec.MediaTypeImageManifest, data), "v1")
		}, []error{errdef.ErrNotFound}},
		{"Open of a layout whose oci-layout is too large", func(t *testing.T, l *Layout) error {
			writeFile(t, filepath.Join(l.Dir(), "oci-layout"), `{"imageLayoutVersion":"1.0.0"}`+strings.Repeat(" ", maxLayoutFileSize))
			_, err := Open(l.Dir())
			return err
		}, []error{ErrTooLarge, errdef.ErrSizeExceedsLimit, ErrNotLayout}},
		{"Size of a missing blob", func(t *testing.T, l *Layout) error {
			_, err := l.Size(digest.FromBytes(data))
			return err
		}, []error{errdef.ErrNotFound, os.ErrNotExist}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.op(t, newLayout(t))
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("%v does not wrap %v", err, want)
				}
			}
		})
	}
}

// TestSentinelsKeepTheirMessages checks that the sentinels that stand for
// oras-go's say what they always said: messages are part of the output.
func TestSentinelsKeepTheirMessages(t *testing.T) {
	for err, want := range map[error]string{
		ErrDigestMismatch: "content does not match descriptor",
		ErrTooLarge:       "content too large",
	} {
		if err.Error() != want {
			t.Errorf("%q, want %q", err.Error(), want)
		}
	}
}
