package cargo

import "testing"

func TestCfgMatches(t *testing.T) {
	gnu := tripleCfg("x86_64-unknown-linux-gnu")
	arm := tripleCfg("armv7-unknown-linux-musleabihf")
	tests := []struct {
		key  string
		cfg  map[string][]string
		want bool
	}{
		{"cfg(unix)", gnu, true},
		{"cfg(windows)", gnu, false},
		{`cfg(target_os = "linux")`, gnu, true},
		{`cfg(target_arch="x86_64")`, gnu, true},
		{`cfg(target_arch = "arm")`, arm, true},
		{`cfg(target_env = "musl")`, arm, true},
		{`cfg(target_env = "gnu")`, gnu, true},
		{`cfg(target_pointer_width = "32")`, arm, true},
		{`cfg(all(unix, target_arch = "x86_64"))`, gnu, true},
		{`cfg(all(unix, target_arch = "aarch64"))`, gnu, false},
		{`cfg(any(windows, target_os = "macos"))`, gnu, false},
		{`cfg(any(windows, target_env = "gnu"))`, gnu, true},
		{`cfg(not(windows))`, gnu, true},
		{`cfg(not(unix))`, gnu, false},
		{`cfg(target_feature = "crt-static")`, gnu, false},
		{`cfg(all())`, gnu, true},
		{`cfg(any())`, gnu, false},
		{"x86_64-unknown-linux-gnu", gnu, false},
		{"cfg(unix", gnu, false},
		{`cfg(target_os = "linux)`, gnu, false},
		{"cfg(unix windows)", gnu, false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := cfgMatches(tt.key, tt.cfg); got != tt.want {
				t.Errorf("cfgMatches(%q) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
}
