package builder

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLayoutWithColonIsRefusedWhenItsReferenceIsPrinted(t *testing.T) {
	tests := []struct {
		name      string
		layoutDir func(dir string) string
		layoutRef bool
		wantErr   bool
	}{
		{"--oci-layout with a colon", func(dir string) string { return filepath.Join(dir, "a:b", "oci") }, true, true},
		{"default layout under a directory with a colon", func(string) string { return "" }, true, true},
		{"pushed: the layout reference is not printed", func(dir string) string { return filepath.Join(dir, "a:b", "oci") }, false, false},
		{"no colon", func(dir string) string { return filepath.Join(dir, "plain") }, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			f.project.TargetDir = filepath.Join(opts.Dir, "tar:get")
			opts.LayoutDir, opts.PrintsLayoutRef = tt.layoutDir(opts.Dir), tt.layoutRef
			_, err := Run(context.Background(), f, opts)
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrLayoutRefColon) || !strings.Contains(err.Error(), "holds a ':'") || strings.Contains(err.Error(), "with --oci-layout") {
				t.Fatalf("error %v, want ErrLayoutRefColon saying the directory holds a ':', naming no flag", err)
			}
			if f.builds != 0 {
				t.Errorf("cargo ran %d times before the layout was refused", f.builds)
			}
			for _, d := range []string{filepath.Join(opts.Dir, "a:b"), f.project.TargetDir} {
				if _, err := os.Stat(d); !os.IsNotExist(err) {
					t.Errorf("a refused build created %s (stat: %v)", d, err)
				}
			}
		})
	}
}

func TestWarnsAboutPackagesWithTheSameRepositoryName(t *testing.T) {
	tests := []struct {
		name, mine, other string
		image, repo       string
		warn              bool
	}{
		{"case differs", "my-app", "My-App", "", "r.example/team", true},
		{"mixed separators collapse", "my-app", "my_-app", "", "r.example/team", true},
		{"- and _ stay apart", "my-app", "my_app", "", "r.example/team", false},
		{"--image names the image", "my-app", "My-App", "r.example/app", "", false},
		{"no repository", "my-app", "My-App", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			f.project.Packages[0].Name, f.project.Packages[0].Targets[0].Name = tt.mine, tt.mine
			other := f.project.Packages[0]
			other.Name, other.ManifestPath = tt.other, filepath.Join(opts.Dir, "other", "Cargo.toml")
			f.project.Packages = append(f.project.Packages, other)
			opts.pkg, opts.Name, opts.Repo = tt.mine, tt.image, tt.repo
			var log bytes.Buffer
			opts.Log = &log
			if _, err := Run(context.Background(), f, opts); err != nil {
				t.Fatal(err)
			}
			got := strings.Contains(log.String(), "warning: packages "+tt.mine+" and "+tt.other+" both give the repository name my-app")
			if got != tt.warn {
				t.Errorf("warning given %v, want %v; log:\n%s", got, tt.warn, log.String())
			}
			if tt.warn && !strings.Contains(log.String(), "--image") {
				t.Errorf("the warning does not say how to fix it: %s", log.String())
			}
		})
	}
}

// namedCargo is a builder that says its name, as *cargo.Cargo does.
type namedCargo struct {
	*fakeCargo
	name string
}

func (n namedCargo) Name() string { return n.name }

func TestLogNamesTheBuilderUsed(t *testing.T) {
	for _, name := range []string{"cross", "cargo zigbuild"} {
		f, opts := newFake(t)
		var log bytes.Buffer
		opts.Log = &log
		if _, err := Run(context.Background(), namedCargo{f, name}, opts); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(log.String(), "for linux/amd64 with "+name+"\n") {
			t.Errorf("the log does not name %s:\n%s", name, log.String())
		}
	}
}
