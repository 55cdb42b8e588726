package testregistry

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Messages for missing tools; .ci/run installs both packages.
const (
	missingRegistry = "docker-registry is not installed: .ci/run installs it (apt-get install docker-registry)"
	missingHtpasswd = "htpasswd is not installed: .ci/run installs it (apt-get install apache2-utils)"
)

// requireCommand returns the path of the command name, or an error whose text
// is hint when it is not on PATH.
func requireCommand(name, hint string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", errors.New(hint)
	}
	return path, nil
}

// settings is what a registry's configuration needs besides its address.
type settings struct {
	dataDir  string
	secret   string
	tls      *tlsFiles // nil: plain HTTP
	htpasswd string    // "": no authentication
	noDelete bool
}

// prepare writes the TLS files and the htpasswd file opts asks for under dir.
func prepare(dir, certDir string, opts Options) (settings, error) {
	s := settings{dataDir: filepath.Join(dir, "data"), noDelete: opts.NoDelete}
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return s, fmt.Errorf("generate http secret: %w", err)
	}
	s.secret = hex.EncodeToString(secret)
	if opts.TLS {
		files, err := writeTLSFiles(certDir, filepath.Join(dir, "tls"))
		if err != nil {
			return s, err
		}
		s.tls = &files
	}
	if len(opts.Users) > 0 {
		s.htpasswd = filepath.Join(dir, "htpasswd")
		if err := writeHtpasswd(s.htpasswd, opts.Users); err != nil {
			return s, err
		}
	}
	return s, nil
}

// configJSON returns the registry's configuration for addr. JSON is YAML, and
// encoding/json quotes the paths correctly whatever they contain.
func (s settings) configJSON(addr string) ([]byte, error) {
	httpCfg := map[string]any{"addr": addr, "secret": s.secret}
	if s.tls != nil {
		httpCfg["tls"] = map[string]any{"certificate": s.tls.certFile, "key": s.tls.keyFile}
	}
	cfg := map[string]any{
		"version": "0.1",
		"log":     map[string]any{"level": "info"},
		"storage": map[string]any{
			"filesystem":  map[string]any{"rootdirectory": s.dataDir},
			"delete":      map[string]any{"enabled": !s.noDelete},
			"maintenance": map[string]any{"uploadpurging": map[string]any{"enabled": false}},
		},
		"http": httpCfg,
	}
	if s.htpasswd != "" {
		cfg["auth"] = map[string]any{"htpasswd": map[string]any{"realm": "basic-realm", "path": s.htpasswd}}
	}
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode registry config: %w", err)
	}
	return data, nil
}

// writeHtpasswd writes bcrypt entries for users to path, using the htpasswd
// command (the standard library has no bcrypt).
func writeHtpasswd(path string, users map[string]string) error {
	bin, err := requireCommand("htpasswd", missingHtpasswd)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(users))
	for name := range users {
		names = append(names, name)
	}
	sort.Strings(names)
	var lines strings.Builder
	for _, name := range names {
		line, err := htpasswdLine(bin, name, users[name])
		if err != nil {
			return err
		}
		lines.WriteString(line + "\n")
	}
	if err := os.WriteFile(path, []byte(lines.String()), 0o600); err != nil {
		return fmt.Errorf("write htpasswd file: %w", err)
	}
	return nil
}

// htpasswdLine returns the "user:$2y$..." line for one user.
func htpasswdLine(bin, user, password string) (string, error) {
	if user == "" || strings.ContainsAny(user, ":\n") {
		return "", fmt.Errorf("invalid registry user name %q", user)
	}
	out, err := exec.Command(bin, "-Bbn", user, password).Output()
	if err != nil {
		return "", fmt.Errorf("htpasswd for user %q: %w", user, commandError(err))
	}
	line := strings.TrimSpace(string(out))
	if !strings.HasPrefix(line, user+":$2") {
		return "", fmt.Errorf("htpasswd for user %q: unexpected output %q", user, line)
	}
	return line, nil
}

// commandError adds a failed command's stderr to its error.
func commandError(err error) error {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && len(exitErr.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(exitErr.Stderr)))
	}
	return err
}
