// Package config reads docker-krust's user configuration file,
// ~/.config/krust/config.toml (or $XDG_CONFIG_HOME/krust/config.toml).
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Config is the user configuration. The zero value is an empty one.
type Config struct {
	// ImageKeys are the image and build settings the config shares with
	// [package.metadata.krust].
	ImageKeys
	// BaseImage replaces the default base image.
	BaseImage string `toml:"base_image"`
	// DefaultRegistry is the repository prefix used when neither --repo
	// nor KRUST_REPO is given: images are DEFAULT_REGISTRY/PACKAGE.
	DefaultRegistry string `toml:"default_registry"`
	// InsecureRegistries lists hosts (HOST[:PORT]) that may be reached over
	// plain HTTP or with unverified TLS.
	InsecureRegistries []string `toml:"insecure_registries"`
	// Build holds defaults for cargo.
	Build Build `toml:"build"`
	// Registries holds credentials by registry host.
	Registries map[string]Registry `toml:"registries"`
	// SignKey is the key that signs every image (--sign-key), relative to
	// the config file's directory; sign-key is the same key in
	// Cargo.toml's spelling. Not a Cargo.toml key: a key is the user's,
	// not the project's.
	SignKey     string `toml:"sign_key"`
	SignKeyDash string `toml:"sign-key"`
}

// SigningKey returns the path of the config's signing key, absolute, or
// "" for none; path is the config file's.
func (c *Config) SigningKey(path string) (string, error) {
	key := c.SignKey
	if c.SignKeyDash != "" {
		if key != "" {
			return "", fmt.Errorf("%w sign_key (sign_key and sign-key in %s): both name the signing key; keep one", ErrInvalidSetting, path)
		}
		key = c.SignKeyDash
	}
	if key == "" || filepath.IsAbs(key) {
		return key, nil
	}
	return filepath.Join(filepath.Dir(path), key), nil
}

// Build holds defaults for cargo.
type Build struct {
	// CargoArgs are added to `cargo build` before the command line's.
	CargoArgs []string `toml:"cargo_args"`
}

// Registry is a registry's credentials.
type Registry struct {
	Username string `toml:"username"`
	Password string `toml:"password"`
}

// Path returns the configuration file's path for an environment lookup:
// $XDG_CONFIG_HOME/krust/config.toml, else ~/.config/krust/config.toml.
func Path(getenv func(string) string) (string, error) {
	if dir := getenv("XDG_CONFIG_HOME"); dir != "" {
		return filepath.Join(dir, "krust", "config.toml"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("find the krust config file: %w", err)
		}
	}
	return filepath.Join(home, ".config", "krust", "config.toml"), nil
}

// Load reads the file at path; a missing file is an empty configuration.
// Unknown keys are reported to warn, one line each; a malformed file is an
// error naming the file and line. A file that holds a password and is
// readable by other users is also reported to warn.
func Load(path string, warn io.Writer) (*Config, error) {
	data, err := readTOML(path, "krust config "+path, "a krust config needs a few lines; remove what is not krust's")
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{}, nil
	}
	if err != nil {
		return nil, err
	}
	cfg, unknown, err := parse(data)
	if err != nil || decodedKindsWrong(reflect.ValueOf(cfg)) {
		if typeErr := checkTypes(data, &Config{}, "krust config "+path); typeErr != nil {
			return nil, typeErr
		}
	}
	if err != nil {
		return nil, fmt.Errorf("krust config %s: %w", path, err)
	}
	for _, key := range unknown {
		fmt.Fprintf(warn, "warning: %s: unknown key %q ignored\n", path, key)
	}
	if cfg.hasPassword() {
		warnIfShared(path, warn)
	}
	return cfg, nil
}

// parse decodes data strictly, returning the keys it does not know.
func parse(data []byte) (*Config, []string, error) {
	var cfg Config
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	err := dec.Decode(&cfg)
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		var unknown []string
		for _, e := range strict.Errors {
			unknown = append(unknown, strings.Join(e.Key(), "."))
		}
		sort.Strings(unknown)
		return &cfg, unknown, nil
	}
	if err != nil {
		return nil, nil, positioned(err)
	}
	return &cfg, nil, nil
}

func (c *Config) hasPassword() bool {
	for _, r := range c.Registries {
		if r.Password != "" {
			return true
		}
	}
	return false
}

// warnIfShared warns when a file holding a password can be read by users
// other than its owner.
func warnIfShared(path string, warn io.Writer) {
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm()&0o044 == 0 {
		return
	}
	fmt.Fprintf(warn, "warning: %s holds a password and is readable by other users (mode %04o): run chmod 600 %s\n",
		path, info.Mode().Perm(), path)
}

// Settings returns the build and image settings the config at path gives,
// its default_registry as Repo.
func (c *Config) Settings(path string) (Settings, error) {
	s, err := c.ImageKeys.settings(path)
	s.BaseImage, s.CargoArgs, s.Repo = c.BaseImage, c.Build.CargoArgs, c.DefaultRegistry
	s.Keys = c.keys()
	return s, err
}

// keys names the settings whose keys in the config are not their names.
func (c *Config) keys() map[string]string {
	return map[string]string{"base-image": "base_image", "cargo-args": "build.cargo_args", "repo": "default_registry"}
}

// Credential returns the credentials configured for host, if any: under
// host itself, or failing that under a key that differs from it only in
// case, since host names are not case-sensitive.
func (c *Config) Credential(host string) (Registry, bool) {
	r, ok := c.Registries[host]
	if !ok {
		keys := slices.Sorted(maps.Keys(c.Registries))
		if i := slices.IndexFunc(keys, func(k string) bool { return strings.EqualFold(k, host) }); i >= 0 {
			r, ok = c.Registries[keys[i]], true
		}
	}
	return r, ok && (r.Username != "" || r.Password != "")
}

// InsecureHosts returns the one matcher of insecure registries: whether
// host (HOST[:PORT], as remote.Options.Insecure is asked) is listed in any
// of lists (--insecure-registry, insecure_registries), with host names
// compared case-insensitively and ports exactly. The lists are copied.
func InsecureHosts(lists ...[]string) func(host string) bool {
	var hosts []string
	for _, l := range lists {
		hosts = append(hosts, l...)
	}
	return func(host string) bool {
		for _, h := range hosts {
			if strings.EqualFold(h, host) {
				return true
			}
		}
		return false
	}
}
