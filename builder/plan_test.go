package builder

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/cargo"
)

// TestPrepareSettlesThePlan: Prepare tells the command, before anything is
// written and before cargo or the registry is asked, which package and
// binary are built, under what name and into which layout; Run then builds
// exactly that.
func TestPrepareSettlesThePlan(t *testing.T) {
	tests := []struct {
		name       string
		pkg        string // the member the caller selected
		bin        string
		imageName  string
		repo       string
		layoutDir  func(dir string) string
		wantImage  string // "" for none
		wantBin    string
		wantLayout func(dir string) string
	}{
		{name: "no name: nothing to push to", pkg: "svc", wantBin: "svc",
			wantLayout: func(dir string) string { return filepath.Join(dir, "target", "krust", "svc", "svc") }},
		{name: "--repo names the image after the package", pkg: "worker", repo: "127.0.0.1:5000/team", wantImage: "127.0.0.1:5000/team/worker", wantBin: "worker",
			wantLayout: func(dir string) string { return filepath.Join(dir, "target", "krust", "worker", "worker") }},
		{name: "--image and --bin", pkg: "worker", bin: "tool", imageName: "r.example/app", wantImage: "r.example/app", wantBin: "tool",
			wantLayout: func(dir string) string { return filepath.Join(dir, "target", "krust", "worker", "tool") }},
		{name: "--oci-layout, relative to the working directory", pkg: "svc", layoutDir: func(dir string) string { t.Chdir(dir); return "oci" }, wantBin: "svc",
			wantLayout: func(dir string) string { return filepath.Join(dir, "oci") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, opts := newFake(t)
			worker := cargo.Package{Name: "worker", Version: "0.1.0", ManifestPath: filepath.Join(opts.Dir, "worker", "Cargo.toml"),
				Targets: []cargo.Target{{Name: "worker", Kind: []string{"bin"}}, {Name: "tool", Kind: []string{"bin"}}}}
			worker.DefaultRun = "worker"
			f.project.Packages = append(f.project.Packages, worker)
			req := opts.Request
			// The package comes selected: Prepare builds it even though Dir
			// (the workspace root) would select another.
			req.Project = &f.project
			for _, p := range f.project.Packages {
				if p.Name == tt.pkg {
					req.Package = p
				}
			}
			req.Bins, req.Name, req.Repo = binList(tt.bin), tt.imageName, tt.repo
			if tt.layoutDir != nil {
				req.LayoutDir = tt.layoutDir(opts.Dir)
			}
			checks := 0
			b := &Builder{Cargo: f, PushCheck: pushCheckFunc(func(context.Context, reference.Named) error { checks++; return nil })}
			plan, err := b.Prepare(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if got := imageString(plan.Ref); got != tt.wantImage {
				t.Errorf("plan.Ref %q, want %q", got, tt.wantImage)
			}
			if plan.Package.Name != tt.pkg || plan.Entrypoint != tt.wantBin || plan.LayoutDir != tt.wantLayout(opts.Dir) {
				t.Errorf("plan package %s bin %s layout %s, want %s %s %s", plan.Package.Name, plan.Entrypoint, plan.LayoutDir, tt.pkg, tt.wantBin, tt.wantLayout(opts.Dir))
			}
			if _, err := os.Stat(f.project.TargetDir); !os.IsNotExist(err) || f.builds != 0 || checks != 0 {
				t.Fatalf("Prepare wrote or asked something: target dir %v, %d builds, %d push checks", err, f.builds, checks)
			}
			res, err := plan.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			res.Release()
			if res.LayoutDir != plan.LayoutDir || imageString(res.Image) != tt.wantImage || f.builds != 1 {
				t.Errorf("result %+v after %d builds, want the plan's layout %s and image %q, one build", res, f.builds, plan.LayoutDir, tt.wantImage)
			}
			if wantChecks := map[bool]int{true: 1, false: 0}[tt.wantImage != ""]; checks != wantChecks {
				t.Errorf("push checked %d times, want %d (once, for the plan's image)", checks, wantChecks)
			}
		})
	}
}

func imageString(named reference.Named) string {
	if named == nil {
		return ""
	}
	return named.String()
}

// binList is the --bin flags of one bin, none for "".
func binList(bin string) []string {
	if bin == "" {
		return nil
	}
	return []string{bin}
}
