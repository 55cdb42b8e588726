package builder

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/docker-krust/docker-krust/config"
)

// Each kind of file an image cannot hold, or a link that would not
// resolve inside its tree there, or a place that would replace the
// binary or another entry, is refused before cargo runs, naming the file
// (as the setting names it) and the fix; every problem at once.
func TestFilesRefusedBeforeCargo(t *testing.T) {
	tests := []struct {
		name  string
		tree  map[string]node
		setup func(t *testing.T, dir string)
		specs []config.FileSpec
		want  []string
	}{
		{"FIFO", nil, mkfifo("static/pipe"), static, []string{"static/pipe cannot go into the image", "a named pipe (FIFO)", "move it out of the tree"}},
		{"FIFO as from", nil, mkfifo("pipe"), []config.FileSpec{{From: "pipe", To: "/p"}}, []string{"pipe cannot go", "a named pipe (FIFO)"}},
		{"socket", nil, mksocket("static/sock"), static, []string{"static/sock cannot go", "a socket"}},
		{"device", nil, mkdev("static/null"), static, []string{"static/null cannot go", "a character device"}},
		{"absolute link", map[string]node{"static/passwd": {link: "/etc/passwd"}}, nil, static, []string{"static/passwd", "absolute symbolic link", "ln -sr"}},
		{"escaping link", map[string]node{"static/x": {link: "../../etc/passwd"}}, nil, static, []string{"static/x", "leads out of the tree"}},
		{"escaping through a link to the root", map[string]node{"static/root": {link: "."}, "static/x": {link: "root/../Cargo.lock"}},
			nil, static, []string{"static/x", "leads out of the tree"}},
		{"link through a file", map[string]node{"static/f": {content: "f"}, "static/x": {link: "f/.."}}, nil, static, []string{"static/x", "to nothing the tree holds"}},
		{"dangling link", map[string]node{"static/x": {link: "missing"}}, nil, static, []string{"static/x", "to nothing the tree holds"}},
		{"link loop", map[string]node{"static/a": {link: "b"}, "static/b": {link: "a"}}, nil, static, []string{"static/a", "static/b", "too many links"}},
		{"link as from", map[string]node{"lnk": {link: "Cargo.lock"}}, nil, []config.FileSpec{{From: "lnk", To: "/l"}}, []string{"lnk cannot go", "a symbolic link (to Cargo.lock)", "name what it points to"}},
		{"missing from", nil, nil, []config.FileSpec{{From: "nope", To: "/n"}}, []string{"nope cannot go", "no such file or directory", "fix from"}},
		{"file as the root", map[string]node{"f": {content: "f"}}, nil, []config.FileSpec{{From: "f", To: "/"}}, []string{"f cannot go", `e.g. "/f"`}},
		{"the binary", map[string]node{"svc": {content: "not the binary"}}, nil, []config.FileSpec{{From: "svc", To: "/app/svc"}},
			[]string{"svc cannot go", "replace the binary /app/svc"}},
		{"the binary inside a tree", map[string]node{"root/app/svc/x": {content: "x"}}, nil, []config.FileSpec{{From: "root", To: "/"}},
			[]string{"root/app/svc cannot go", "root/app/svc/x cannot go", "replace the binary /app/svc"}},
		{"cargo's target directory", map[string]node{"target/release/svc": {content: "built"}}, nil, []config.FileSpec{{From: ".", To: "/src"}},
			[]string{"^target cannot go", "cargo's target directory"}},
		{"/app as a file", map[string]node{"f": {content: "f"}}, nil, []config.FileSpec{{From: "f", To: "/app"}}, []string{"replace the directory /app"}},
		{"two entries at one path", map[string]node{"a/x": {content: "1"}, "x": {content: "2"}}, nil,
			[]config.FileSpec{{From: "a", To: "/srv"}, {From: "x", To: "/srv/x"}}, []string{"^x cannot go", `entry { from = "a", to = "/srv" } puts something else at /srv/x`}},
		{"below a file", map[string]node{"f": {content: "f"}, "d/x": {content: "x"}}, nil,
			[]config.FileSpec{{From: "f", To: "/srv"}, {From: "d", To: "/srv/d"}}, []string{"d cannot go", "/srv above it is not a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			makeTree(t, opts.Dir, tt.tree)
			if tt.setup != nil {
				tt.setup(t, opts.Dir)
			}
			opts.Files = tt.specs
			_, err := Run(context.Background(), f, opts)
			if !errors.Is(err, ErrFiles) {
				t.Fatalf("got %v, want ErrFiles", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) && !(strings.HasPrefix(w, "^") && strings.HasPrefix(err.Error(), w[1:])) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), opts.Dir) {
				t.Errorf("error %q names the project's absolute path: it names files as the setting does", err)
			}
			if f.builds != 0 {
				t.Errorf("cargo ran %d times: files are checked before", f.builds)
			}
		})
	}
}

var static = []config.FileSpec{{From: "static", To: "/srv/static"}}

func mkfifo(rel string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		p := filepath.Join(dir, rel)
		mustDo(t, os.MkdirAll(filepath.Dir(p), 0o755))
		mustDo(t, syscall.Mkfifo(p, 0o644))
	}
}

func mksocket(rel string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		p := filepath.Join(dir, rel)
		mustDo(t, os.MkdirAll(filepath.Dir(p), 0o755))
		l, err := net.Listen("unix", p)
		mustDo(t, err)
		t.Cleanup(func() { l.Close() })
	}
}

func mkdev(rel string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		p := filepath.Join(dir, rel)
		mustDo(t, os.MkdirAll(filepath.Dir(p), 0o755))
		if err := syscall.Mknod(p, syscall.S_IFCHR|0o644, 1<<8|3); err != nil {
			t.Skipf("cannot make a device node here (needs CAP_MKNOD): %v", err)
		}
	}
}
