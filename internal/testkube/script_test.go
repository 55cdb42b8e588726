package testkube

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/internal/testtools"
)

// fakeGo is a go command for hack/test-tools.sh's tests: `go mod ...`
// succeeds doing nothing; `go build -o OUT` writes to OUT the script in
// FAKE_GO_BINARY (or garbage, if that is unset) and exits FAKE_GO_EXIT. Each
// call is logged to FAKE_GO_LOG.
const fakeGo = `#!/bin/sh
echo "$*" >>"$FAKE_GO_LOG"
[ "$1" = build ] || exit 0
while [ "$1" != -o ]; do shift; done
if [ -n "$FAKE_GO_BINARY" ]; then cp "$FAKE_GO_BINARY" "$2"; else echo half >"$2"; fi
chmod +x "$2"
exit "${FAKE_GO_EXIT:-0}"
`

// versionScript returns a script that prints line for --version.
func versionScript(line string) string {
	return "#!/bin/sh\necho '" + line + "'\n"
}

func TestKubeToolsScript(t *testing.T) {
	goodEtcd := versionScript("etcd Version: " + strings.TrimPrefix(EtcdVersion, "v"))
	goodAPI := versionScript("Kubernetes " + KubeVersion)
	cases := []struct {
		name      string
		etcd      string // the cached etcd before the run; "" for none
		binary    string // what the fake build writes; "" for garbage
		exit      string // the fake build's exit status
		wantErr   string // "" for success
		wantBuild bool   // whether go build runs
		wantEtcd  string // the cached etcd after the run
	}{
		{"both cached", goodEtcd, "", "0", "", false, goodEtcd},
		{"stale etcd rebuilt", versionScript("etcd Version: 3.5.0"), goodEtcd, "0", "", true, goodEtcd},
		{"failed build keeps the old binary", versionScript("etcd Version: 3.5.0"), "", "1",
			"building etcd " + EtcdVersion + " failed", true, versionScript("etcd Version: 3.5.0")},
		{"wrong version refused", "", versionScript("etcd Version: 3.4.0"), "0",
			"want " + EtcdVersion, true, ""},
		{"binary that cannot run refused", "", "", "0", "does not run", true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, bin := t.TempDir(), t.TempDir()
			etcd := filepath.Join(dir, "etcd-"+EtcdVersion, "etcd")
			writeExecutable(t, filepath.Join(dir, "kube-apiserver-"+KubeVersion, "kube-apiserver"), goodAPI)
			for _, v := range []string{testtools.CosignVersion, testtools.CosignV2Version} {
				writeExecutable(t, filepath.Join(dir, "cosign-"+v, "cosign"), versionScript("GitVersion:    "+v))
			}
			if c.etcd != "" {
				writeExecutable(t, etcd, c.etcd)
			}
			writeExecutable(t, etcd+".partial.X1b2c3", "left by a killed build")
			writeExecutable(t, filepath.Join(bin, "go"), fakeGo)
			built := filepath.Join(bin, "built")
			if c.binary != "" {
				writeExecutable(t, built, c.binary)
			} else {
				built = ""
			}
			log := filepath.Join(bin, "go.log")
			cmd := exec.Command("../../hack/test-tools.sh", dir)
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"FAKE_GO_LOG="+log, "FAKE_GO_BINARY="+built, "FAKE_GO_EXIT="+c.exit)
			out, err := cmd.CombinedOutput()
			if (err != nil) != (c.wantErr != "") || !strings.Contains(string(out), c.wantErr) {
				t.Fatalf("test-tools.sh: %v, output:\n%s\nwant error %q", err, out, c.wantErr)
			}
			calls, _ := os.ReadFile(log) // absent: go never ran
			if strings.Contains(string(calls), "build") != c.wantBuild {
				t.Errorf("go calls:\n%s\nwant a build: %v", calls, c.wantBuild)
			}
			if got := readOrEmpty(etcd); got != c.wantEtcd {
				t.Errorf("cached etcd = %q, want %q", got, c.wantEtcd)
			}
			if partial, _ := filepath.Glob(etcd + ".partial.*"); len(partial) != 0 {
				t.Errorf("left behind %v", partial)
			}
		})
	}
}

// writeExecutable writes an executable file, creating its directory.
func writeExecutable(t *testing.T, file, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}

// readOrEmpty returns file's content, or "" if it cannot be read.
func readOrEmpty(file string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	return string(data)
}
