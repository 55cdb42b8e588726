package layout

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker-krust/docker-krust/oci"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// promptly is how long an operation on a broken layout may take before the
// test calls it hung. It guards the test; it does not synchronise anything.
const promptly = 10 * time.Second

// specialKinds make an entry that is not a regular file at path. A kind
// that cannot be made here (a device without root) skips the test.
var specialKinds = []struct {
	name string
	make func(t *testing.T, path string)
}{
	{"fifo", makeFIFO},
	{"socket", func(t *testing.T, path string) { mknod(t, path, syscall.S_IFSOCK|0o600, 0) }},
	{"directory", func(t *testing.T, path string) {
		if err := os.Mkdir(path, 0o755); err != nil {
			t.Fatal(err)
		}
	}},
	// Like /dev/null: reading it would give nothing, not block.
	{"device", func(t *testing.T, path string) { mknod(t, path, syscall.S_IFCHR|0o600, 1<<8|3) }},
}

// makeFIFO makes a named pipe. If the code under test blocks opening it,
// the cleanup opens its writing end to release the stuck goroutine.
func makeFIFO(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			syscall.Close(fd)
		}
	})
}

func mknod(t *testing.T, path string, mode uint32, dev int) {
	t.Helper()
	if err := syscall.Mknod(path, mode, dev); err != nil {
		if errors.Is(err, syscall.EPERM) {
			t.Skipf("cannot make %s here: %v", path, err)
		}
		t.Fatal(err)
	}
}

// promptlyOr runs fn and fails the test if it has not returned after promptly.
func promptlyOr(t *testing.T, what string, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(promptly):
		t.Fatalf("%s hung for %v", what, promptly)
		return nil
	}
}

// replaceEntry replaces the file at path with a special file of kind make.
func replaceEntry(t *testing.T, path string, make func(*testing.T, string)) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	make(t, path)
}

// assertRefused checks that err refuses the entry at path as not regular.
func assertRefused(t *testing.T, err error, path string) {
	t.Helper()
	if !errors.Is(err, ErrNotRegular) {
		t.Fatalf("got %v, want an error wrapping ErrNotRegular", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
}

// entryPath returns the path of the entry (oci-layout, index.json or the
// blob of desc) in dir.
func entryPath(dir, entry string, desc ocispec.Descriptor) string {
	if entry == "blob" {
		return filepath.Join(dir, "blobs", "sha256", desc.Digest.Encoded())
	}
	return filepath.Join(dir, entry)
}

// TestSpecialFilesInALayoutBeingReadAreRefused covers a base layout and a
// layout being pushed: both are opened with Open and read with Fetch,
// ReadBlob and Exists.
func TestSpecialFilesInALayoutBeingReadAreRefused(t *testing.T) {
	ctx := context.Background()
	for _, kind := range specialKinds {
		for _, entry := range []string{layoutFile, indexFile, "blob"} {
			t.Run(kind.name+"/"+entry, func(t *testing.T) {
				l := newLayout(t)
				desc := pushBytes(t, l, []byte("a manifest, say"))
				path := entryPath(l.Dir(), entry, desc)
				replaceEntry(t, path, kind.make)
				err := promptlyOr(t, "Open", func() error {
					src, err := Open(l.Dir())
					if err != nil || entry != "blob" {
						return err
					}
					if _, err := oci.ReadBlob(ctx, src, desc, 1<<20); err == nil {
						t.Error("ReadBlob read a special file")
					}
					if _, err := src.Exists(ctx, desc); !errors.Is(err, ErrNotRegular) {
						t.Errorf("Exists: %v, want ErrNotRegular", err)
					}
					if _, err := src.Size(desc.Digest); !errors.Is(err, ErrNotRegular) {
						t.Errorf("Size: %v, want ErrNotRegular", err)
					}
					rc, err := src.Fetch(ctx, desc)
					if err == nil {
						rc.Close()
					}
					return err
				})
				assertRefused(t, err, path)
			})
		}
	}
}

// TestSpecialFilesInTheOutputLayoutAreRefused covers the layout a build
// writes: Create and CheckWritable for oci-layout and index.json, and every
// way a blob is written for a blob.
func TestSpecialFilesInTheOutputLayoutAreRefused(t *testing.T) {
	ctx := context.Background()
	data := []byte("a config, say")
	writers := blobWriters(ctx, data)
	for _, kind := range specialKinds {
		for _, entry := range []string{layoutFile, indexFile, "blob"} {
			t.Run(kind.name+"/"+entry, func(t *testing.T) {
				l := newLayout(t)
				desc := descFor("x", data)
				path := entryPath(l.Dir(), entry, desc)
				if entry == "blob" {
					writeFile(t, path, "placeholder")
				}
				replaceEntry(t, path, kind.make)
				if entry != "blob" {
					assertRefused(t, promptlyOr(t, "CheckWritable", func() error { return CheckWritable(l.Dir()) }), path)
					_, err := promptlyOr2(t, "Create", func() (*Layout, error) { return Create(context.Background(), l.Dir()) })
					assertRefused(t, err, path)
					return
				}
				for name, write := range writers {
					assertRefused(t, promptlyOr(t, name, func() error { return write(l) }), path)
				}
			})
		}
	}
}

// promptlyOr2 is promptlyOr for a function that also returns a value.
func promptlyOr2[T any](t *testing.T, what string, fn func() (T, error)) (T, error) {
	t.Helper()
	var v T
	err := promptlyOr(t, what, func() error {
		var err error
		v, err = fn()
		return err
	})
	return v, err
}

// TestWritesNeverFollowALinkOutOfTheLayout links blobs or blobs/sha256 to
// a directory outside the layout: every write is refused and nothing
// appears outside.
func TestWritesNeverFollowALinkOutOfTheLayout(t *testing.T) {
	ctx := context.Background()
	data := []byte("layer bytes")
	writes := map[string]func(l *Layout) error{
		"WriteBlob": func(l *Layout) error { _, err := l.WriteBlob(ctx, "x", data); return err },
		"BlobWriter": func(l *Layout) error {
			w, err := l.NewBlobWriter()
			if err != nil {
				return err
			}
			defer w.Close()
			_, err = w.Commit("x")
			return err
		},
		"Create":        func(l *Layout) error { _, err := Create(context.Background(), l.Dir()); return err },
		"CheckWritable": func(l *Layout) error { return CheckWritable(l.Dir()) },
	}
	for _, linked := range []string{"blobs", "blobs/sha256"} {
		for name, write := range writes {
			t.Run(linked+"/"+name, func(t *testing.T) {
				l := newLayout(t)
				outside := t.TempDir()
				if linked == "blobs" {
					if err := os.Mkdir(filepath.Join(outside, "sha256"), 0o755); err != nil {
						t.Fatal(err)
					}
				}
				path := filepath.Join(l.Dir(), linked)
				if err := os.RemoveAll(path); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(outside, path); err != nil {
					t.Fatal(err)
				}
				before := listDir(t, outside)
				err := write(l)
				if name == "Create" && err == nil {
					// An existing layout opens; its first write is refused.
					_, err = l.WriteBlob(ctx, "x", data)
				}
				if !errors.Is(err, ErrOutsideLayout) {
					t.Fatalf("%s through a link out of the layout: %v, want ErrOutsideLayout", name, err)
				}
				if !strings.Contains(err.Error(), l.Dir()) {
					t.Errorf("error %q does not name the layout", err)
				}
				if after := listDir(t, outside); strings.Join(after, ",") != strings.Join(before, ",") {
					t.Errorf("written outside the layout: %v, was %v", after, before)
				}
			})
		}
	}
}

// TestANewLayoutIsNotCreatedThroughALink starts from a directory whose
// blobs entry leads elsewhere.
func TestANewLayoutIsNotCreatedThroughALink(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "layout")
	outside := t.TempDir()
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "blobs")); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(context.Background(), dir); err == nil {
		t.Fatal("Create wrote a layout whose blobs directory is elsewhere")
	}
	if names := listDir(t, outside); len(names) != 1 {
		t.Errorf("written outside the layout: %v", names)
	}
}

// TestBaseBlobLinkedToASecretIsRefusedWithoutDisclosingIt links a blob of
// a layout being read to a file outside it: nothing reveals the file's
// size or content.
func TestBaseBlobLinkedToASecretIsRefusedWithoutDisclosingIt(t *testing.T) {
	ctx := context.Background()
	secret := strings.Repeat("TOPSECRET-", 433) + "x" // 4331 bytes
	secretFile := filepath.Join(t.TempDir(), "credentials")
	writeFile(t, secretFile, secret)
	for _, linked := range []string{"blob", "blobs/sha256", "blobs"} {
		t.Run(linked, func(t *testing.T) {
			l := newLayout(t)
			desc := pushBytes(t, l, []byte(`{"schemaVersion":2}`))
			link, target := entryPath(l.Dir(), "blob", desc), secretFile
			if linked != "blob" {
				// The secret sits where the blob would be, in a copy of
				// the blobs tree outside.
				outside := t.TempDir()
				writeFile(t, filepath.Join(outside, "sha256", desc.Digest.Encoded()), secret)
				link, target = filepath.Join(l.Dir(), linked), filepath.Join(outside, "sha256")
				if linked == "blobs" {
					target = outside
				}
			}
			if err := os.RemoveAll(link); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			src, err := Open(l.Dir())
			if err != nil {
				t.Fatal(err)
			}
			for _, sizeVariant := range []int64{desc.Size, int64(len(secret))} {
				d := desc
				d.Size = sizeVariant
				_, rerr := oci.ReadBlob(ctx, src, d, 1<<20)
				_, eerr := src.Exists(ctx, d)
				_, serr := src.Size(d.Digest)
				for op, err := range map[string]error{"ReadBlob": rerr, "Exists": eerr, "Size": serr} {
					if !errors.Is(err, ErrOutsideLayout) {
						t.Errorf("%s: %v, want ErrOutsideLayout", op, err)
						continue
					}
					msg := err.Error()
					if strings.Contains(msg, "TOPSECRET") || strings.Contains(msg, strconv.Itoa(len(secret))) {
						t.Errorf("%s discloses the secret file: %s", op, msg)
					}
				}
			}
		})
	}
}

// TestLinksInsideTheLayoutAreFollowed pins the choice: a link that stays
// inside the layout is harmless, since the blob is verified anyway.
func TestLinksInsideTheLayoutAreFollowed(t *testing.T) {
	ctx := context.Background()
	l := newLayout(t)
	data := []byte("shared layer")
	desc := pushBytes(t, l, data)
	path := entryPath(l.Dir(), "blob", desc)
	if err := os.Rename(path, filepath.Join(l.Dir(), "kept")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../kept", path); err != nil {
		t.Fatal(err)
	}
	got, err := oci.ReadBlob(ctx, l, desc, 1<<20)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("ReadBlob through a link inside the layout: %q, %v", got, err)
	}
}

// TestLyingBlobsAreReplaced damages a stored blob (same size, other bytes)
// and writes it again every way a build or pull does: the damage is
// detected and the blob is whole again.
func TestLyingBlobsAreReplaced(t *testing.T) {
	ctx := context.Background()
	data := bytes.Repeat([]byte("base layer "), 1000)
	rewrites := blobWriters(ctx, data)
	for name, rewrite := range rewrites {
		t.Run(name, func(t *testing.T) {
			l := newLayout(t)
			desc := pushBytes(t, l, data)
			path := entryPath(l.Dir(), "blob", desc)
			damaged := bytes.Clone(data)
			damaged[len(damaged)/2] ^= 0xff
			if err := os.WriteFile(path, damaged, 0o644); err != nil {
				t.Fatal(err)
			}
			if ok, err := l.Exists(ctx, desc); ok || err != nil {
				t.Fatalf("Exists of a damaged blob = %v, %v; want false, nil", ok, err)
			}
			if err := rewrite(l); err != nil {
				t.Fatalf("%s over a damaged blob: %v", name, err)
			}
			if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("the damaged blob was kept (err %v)", err)
			}
			if ok, err := l.Exists(ctx, desc); !ok || err != nil {
				t.Errorf("Exists after the rewrite = %v, %v", ok, err)
			}
		})
	}
}

// TestReadingADamagedBlobSaysWhichAndWhere checks the error that pushing a
// damaged layout gets from Fetch.
func TestReadingADamagedBlobSaysWhichAndWhere(t *testing.T) {
	ctx := context.Background()
	l := newLayout(t)
	desc := pushBytes(t, l, []byte("some layer content"))
	if err := os.WriteFile(entryPath(l.Dir(), "blob", desc), []byte("some LAYER content"), 0o644); err != nil {
		t.Fatal(err)
	}
	rc, err := l.Fetch(ctx, desc)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	_, err = io.ReadAll(rc)
	if !errors.Is(err, ErrCorruptBlob) || !errors.Is(err, ErrDigestMismatch) {
		t.Fatalf("got %v, want ErrCorruptBlob and ErrDigestMismatch", err)
	}
	for _, want := range []string{desc.Digest.String(), l.Dir(), "damaged"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// blobWriters returns every way a build or pull writes a blob holding
// data into a layout, by name.
func blobWriters(ctx context.Context, data []byte) map[string]func(l *Layout) error {
	return map[string]func(l *Layout) error{
		"WriteBlob": func(l *Layout) error { _, err := l.WriteBlob(ctx, "x", data); return err },
		"Push":      func(l *Layout) error { return l.Push(ctx, descFor("x", data), bytes.NewReader(data)) },
		"BlobWriter": func(l *Layout) error {
			w, err := l.NewBlobWriter()
			if err != nil {
				return err
			}
			defer w.Close()
			if _, err := w.Write(data); err != nil {
				return err
			}
			_, err = w.Commit("x")
			return err
		},
	}
}
