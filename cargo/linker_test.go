package cargo

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCrossLinkers(t *testing.T) {
	onPath := map[string]bool{"aarch64-linux-gnu-gcc": true, "arm-linux-gnueabihf-gcc": true}
	look := func(name string) (string, error) {
		if onPath[name] {
			return "/usr/bin/" + name, nil
		}
		return "", errors.New("not found")
	}
	tests := []struct {
		name    string
		triples []string
		env     []string
		config  string
		args    []string
		want    []string
	}{
		{"host target needs no cross linker", []string{"x86_64-unknown-linux-gnu"}, nil, "", nil, nil},
		{"arm64 gnu", []string{"aarch64-unknown-linux-gnu"}, nil, "", nil,
			[]string{"CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=/usr/bin/aarch64-linux-gnu-gcc"}},
		{"arm64 musl falls back to the gnu cross gcc", []string{"aarch64-unknown-linux-musl"}, nil, "", nil,
			[]string{"CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=/usr/bin/aarch64-linux-gnu-gcc"}},
		{"armv7 and arm64 together", []string{"x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "armv7-unknown-linux-gnueabihf"}, nil, "", nil,
			[]string{"CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=/usr/bin/aarch64-linux-gnu-gcc",
				"CARGO_TARGET_ARMV7_UNKNOWN_LINUX_GNUEABIHF_LINKER=/usr/bin/arm-linux-gnueabihf-gcc"}},
		{"the user's variable wins", []string{"aarch64-unknown-linux-gnu"},
			[]string{"CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=/opt/my-gcc"}, "", nil, nil},
		{"the user's cargo config wins", []string{"aarch64-unknown-linux-gnu"}, nil,
			"[target.aarch64-unknown-linux-gnu]\nlinker = \"/opt/cc\"\n", nil, nil},
		{"armv7 musl falls back to the gnueabihf gcc", []string{"armv7-unknown-linux-musleabihf"}, nil, "", nil,
			[]string{"CARGO_TARGET_ARMV7_UNKNOWN_LINUX_MUSLEABIHF_LINKER=/usr/bin/arm-linux-gnueabihf-gcc"}},
		// A linker the user configured anywhere cargo looks is never
		// replaced (cargo 1.95 also honours target.'cfg(...)'.linker).
		{"the user's --config wins", []string{"aarch64-unknown-linux-gnu"}, nil, "",
			[]string{"--config", `target.aarch64-unknown-linux-gnu.linker="/opt/cc"`}, nil},
		{"the user's --config=KEY=VALUE wins", []string{"aarch64-unknown-linux-gnu"}, nil, "",
			[]string{`--config=target.aarch64-unknown-linux-gnu.linker="/opt/cc"`}, nil},
		{"the user's --config file wins", []string{"aarch64-unknown-linux-gnu"}, nil, "",
			[]string{"--config", "linker.toml"}, nil},
		{"a matching cfg linker in the cargo config wins", []string{"aarch64-unknown-linux-gnu"}, nil,
			"[target.'cfg(target_arch = \"aarch64\")']\nlinker = \"/opt/cc\"\n", nil, nil},
		{"a cfg linker for another arch does not", []string{"aarch64-unknown-linux-gnu"}, nil,
			"[target.'cfg(target_arch = \"arm\")']\nlinker = \"/opt/cc\"\n", nil,
			[]string{"CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=/usr/bin/aarch64-linux-gnu-gcc"}},
		{"a --config linker for another triple does not", []string{"aarch64-unknown-linux-gnu"}, nil, "",
			[]string{"--config", `target.armv7-unknown-linux-gnueabihf.linker="/opt/cc"`},
			[]string{"CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=/usr/bin/aarch64-linux-gnu-gcc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := "[target.aarch64-unknown-linux-gnu]\nlinker = \"/opt/cc\"\n"
			if err := os.WriteFile(filepath.Join(dir, "linker.toml"), []byte(file), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.config != "" {
				path := filepath.Join(dir, ".cargo", "config.toml")
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(tt.config), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			env := append([]string{"CARGO_HOME=" + t.TempDir()}, tt.env...)
			cfg, err := readCargoConfig(env, dir, tt.args)
			if err != nil {
				t.Fatal(err)
			}
			got, notes := crossLinkers(cfg, tt.triples, look)
			if !slices.Equal(got, tt.want) || len(notes) != len(got) {
				t.Errorf("crossLinkers = %q (notes %q), want %q", got, notes, tt.want)
			}
		})
	}
}
