package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPluginMetadata(t *testing.T) {
	out := mustRun(t, "", filepath.Join(h.binDir, "docker-krust"), "docker-cli-plugin-metadata")
	var meta struct{ SchemaVersion, Vendor, ShortDescription string }
	mustJSON(t, out, &meta)
	if meta.SchemaVersion != "0.1.0" || meta.Vendor == "" || meta.ShortDescription == "" {
		t.Errorf("plugin metadata %+v lacks schema version 0.1.0, vendor or description", meta)
	}
}

// installPlugin puts docker-krust into a fresh Docker config directory's
// cli-plugins folder and returns the config directory.
func installPlugin(t *testing.T) string {
	t.Helper()
	config := t.TempDir()
	plugins := filepath.Join(config, "cli-plugins")
	if err := os.MkdirAll(plugins, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(h.binDir, "docker-krust"), filepath.Join(plugins, "docker-krust")); err != nil {
		t.Fatal(err)
	}
	return config
}

func TestDockerRunsThePlugin(t *testing.T) {
	requireTool(t, "docker")
	requireTool(t, "cargo")
	config := installPlugin(t)

	help := mustRun(t, "", "docker", "--config", config, "--help")
	if !strings.Contains(help, "krust*") {
		t.Errorf("docker --help does not list the krust plugin:\n%s", help)
	}
	project := copyExample(t, t.TempDir())
	// No Docker engine is needed: point DOCKER_HOST at nothing.
	res := run(t, project, []string{"DOCKER_HOST=unix:///nonexistent.sock"}, "docker",
		append([]string{"--config", config, "krust"}, glibcScratch...)...)
	dir := ociRef(t, res, "latest")
	validateLayout(t, dir)

	bad := run(t, project, nil, "docker", "--config", config, "krust", "build", "--no-push", "--platform", "linux/s390x")
	assertCleanFailure(t, bad, "unsupported platform")
}

func TestVersionAndHelp(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"version"}, "docker-krust "},
		{[]string{"build", "--help"}, "--oci-layout"},
		{[]string{"--help"}, "build"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			res := krust(t, "", nil, tt.args...)
			if res.code != 0 || !strings.Contains(res.stdout, tt.want) {
				t.Errorf("krust %v: exit %d, stdout %q, want %q", tt.args, res.code, res.stdout, tt.want)
			}
		})
	}
}

// docker krust resolve reads stdin through the plugin as krust does:
// YAML without a reference comes back byte for byte, building nothing.
func TestDockerKrustResolve(t *testing.T) {
	requireTool(t, "docker")
	config := installPlugin(t)
	in := "# kept\nkind:   ConfigMap   # as written\ndata: {a: 'b'}\n---\n...\n"
	cmd := exec.Command("docker", "--config", config, "krust", "resolve", "-f", "-")
	cmd.Stdin = strings.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("docker krust resolve: %v", err)
	}
	if string(out) != in {
		t.Errorf("docker krust resolve printed %q, want its input %q", out, in)
	}
}
