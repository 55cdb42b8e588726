package cargo

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Inputs are what decides one of cargo's answers (the crate graph, the
// toolchain), for a cache keyed by them: an answer asked again with the
// same Inputs is the same answer.
type Inputs struct {
	// Files are the files whose bytes decide the answer; one that does
	// not exist decides it too, by not existing.
	Files []string
	// Programs are executables that decide it, identified by their path,
	// size, inode and modification time rather than their bytes (they are
	// large, and an install or update replaces them).
	Programs []string
	// Env are the variables of cargo's environment that may decide it,
	// as KEY=VALUE strings, sorted.
	Env []string
}

// GraphInputs lists what decides the crate graph Graph returns for req in
// proj (the project cargo metadata described), besides the toolchain and
// req itself: the workspace's Cargo.lock, the Cargo.toml of every member,
// of every package the build compiled (req.Built) and of each of their
// parent directories (where cargo finds the workspace a package inherits
// fields from, and the project's workspace root), the cargo config files
// cargo reads in req.Dir (and a --config FILE among req.Args), and the
// environment cargo and rustc read (CARGO_*, RUSTFLAGS, RUSTC...).
// A package whose Cargo.toml names its workspace elsewhere (package.workspace)
// is not followed there.
func (c Cargo) GraphInputs(req DepsRequest, proj *Project) Inputs {
	files := newFileSet()
	files.add(filepath.Join(proj.WorkspaceRoot, LockfileName))
	files.add(filepath.Join(proj.WorkspaceRoot, ManifestName))
	files.addParents(filepath.Dir(req.manifest()))
	for _, p := range proj.Packages {
		files.add(p.ManifestPath)
	}
	for _, b := range req.Built {
		files.addParents(filepath.Dir(b.ManifestPath))
	}
	for d := filepath.Clean(req.Dir); ; d = filepath.Dir(d) {
		files.add(configNames(filepath.Join(d, ".cargo"))...)
		if filepath.Dir(d) == d {
			break
		}
	}
	if home := Home(getenvOf(c.Env)); home != "" {
		files.add(configNames(home)...)
	}
	for _, arg := range configArgs(req.Args) {
		if !strings.Contains(arg, "=") {
			path := arg
			if !filepath.IsAbs(path) {
				path = filepath.Join(req.Dir, arg)
			}
			files.add(path)
		}
	}
	return Inputs{Files: files.list(), Env: cacheEnv(c.Env)}
}

// ToolchainInputs lists what decides the answer of Toolchain(ctx, dir):
// the rustc and cargo programs it runs, found as it finds them, and when
// either is rustup's proxy, what rustup chooses the toolchain by (its
// settings, the rust-toolchain files of dir and its parents) and every
// installed toolchain's rustc and cargo; and the environment. A program
// that cannot be found is an error: Toolchain would fail too.
func (c Cargo) ToolchainInputs(dir string) (Inputs, error) {
	var in Inputs
	files := newFileSet()
	rustup := false
	for _, program := range []string{c.rustc(), c.program()} {
		path, err := exec.LookPath(program)
		if err != nil {
			return Inputs{}, err
		}
		in.Programs = append(in.Programs, path)
		if real, err := filepath.EvalSymlinks(path); err == nil && strings.HasPrefix(filepath.Base(real), "rustup") {
			rustup = true
		}
	}
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		files.add(filepath.Join(d, "rust-toolchain"), filepath.Join(d, "rust-toolchain.toml"))
		if filepath.Dir(d) == d {
			break
		}
	}
	if home := rustupHome(getenvOf(c.Env)); rustup && home != "" {
		files.add(filepath.Join(home, "settings.toml"))
		toolchains, _ := filepath.Glob(filepath.Join(home, "toolchains", "*", "bin"))
		for _, bin := range toolchains {
			in.Programs = append(in.Programs, filepath.Join(bin, "rustc"), filepath.Join(bin, "cargo"))
		}
	}
	in.Files, in.Env = files.list(), cacheEnv(c.Env)
	return in, nil
}

// rustupHome is where rustup keeps its settings and toolchains: RUSTUP_HOME,
// else .rustup in HOME; "" when neither is set.
func rustupHome(getenv func(string) string) string {
	if h := getenv("RUSTUP_HOME"); h != "" {
		return h
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".rustup")
	}
	return ""
}

// cacheEnv keeps of env the variables cargo, rustc and rustup read that
// may change what they answer: every CARGO_* and RUSTUP_* variable, the
// rustflags, the compiler and its wrappers, and HOME (where cargo's and
// rustup's homes default to). Values are kept as they are: callers hash
// them, and never write them out.
func cacheEnv(env []string) []string {
	exact := []string{"RUSTFLAGS", "RUSTC", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER", "RUSTC_BOOTSTRAP", "HOME"}
	seen := map[string]string{}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if strings.HasPrefix(k, "CARGO_") || strings.HasPrefix(k, "RUSTUP_") || strings.HasPrefix(k, "__CARGO") || slices.Contains(exact, k) {
			seen[k] = v // the last of a key counts
		}
	}
	out := make([]string, 0, len(seen))
	for k, v := range seen {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// fileSet collects paths once each.
type fileSet struct {
	paths  map[string]bool
	walked map[string]bool // directories addParents went up from
}

func newFileSet() fileSet { return fileSet{paths: map[string]bool{}, walked: map[string]bool{}} }

func (s fileSet) add(paths ...string) {
	for _, p := range paths {
		if p != "" {
			s.paths[filepath.Clean(p)] = true
		}
	}
}

// addParents adds the Cargo.toml of dir and of each of its parents.
func (s fileSet) addParents(dir string) {
	for d := filepath.Clean(dir); !s.walked[d]; d = filepath.Dir(d) {
		s.walked[d] = true // and so, below, its parents
		s.paths[filepath.Join(d, ManifestName)] = true
		if filepath.Dir(d) == d {
			return
		}
	}
}

func (s fileSet) list() []string {
	out := make([]string, 0, len(s.paths))
	for p := range s.paths {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
