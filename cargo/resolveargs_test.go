package cargo

import (
	"slices"
	"testing"
)

func TestResolutionArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"none", nil, nil},
		{"--features a,b", []string{"--features", "a,b"}, []string{"--features=a,b"}},
		{"--features=a", []string{"--features=a"}, []string{"--features=a"}},
		{"--features with spaces", []string{"--features", "a b"}, []string{"--features=a b"}},
		{"--features twice", []string{"--features", "a", "--features=b"}, []string{"--features=a", "--features=b"}},
		{"-F a,b", []string{"-F", "a,b"}, []string{"--features=a,b"}},
		{"-Fa", []string{"-Fa"}, []string{"--features=a"}},
		{"-F=a", []string{"-F=a"}, []string{"--features=a"}},
		{"-vF a: flags then -F", []string{"-vF", "a"}, []string{"--features=a"}},
		{"-vFa", []string{"-vFa"}, []string{"--features=a"}},
		{"-rvqFpkg/feat", []string{"-rvqFpkg/feat"}, []string{"--features=pkg/feat"}},
		{"feature of a dependency", []string{"--features", "serde/derive"}, []string{"--features=serde/derive"}},
		{"flags", []string{"--all-features", "--no-default-features", "--locked", "--offline", "--frozen"},
			[]string{"--all-features", "--no-default-features", "--locked", "--offline", "--frozen"}},
		{"--config K=V", []string{"--config", "net.offline=true"}, []string{"--config=net.offline=true"}},
		{"--config=K=V", []string{"--config=patch.crates-io.x.path=\"../x\""}, []string{"--config=patch.crates-io.x.path=\"../x\""}},
		{"--config FILE", []string{"--config", "ci.toml"}, []string{"--config=ci.toml"}},
		{"-Z flag", []string{"-Z", "unstable-options"}, []string{"-Z", "unstable-options"}},
		{"-Zflag", []string{"-Zunstable-options"}, []string{"-Z", "unstable-options"}},
		{"-Z=flag", []string{"-Z=unstable-options"}, []string{"-Z", "unstable-options"}},
		{"ignored flags", []string{"-v", "-vv", "-q", "--timings", "--keep-going", "--all-targets", "--release", "-r", "--ignore-rust-version"}, nil},
		{"ignored options and their values", []string{"--jobs", "4", "-j", "2", "-j4", "--message-format", "json", "--color", "never",
			"--target-dir", "--features", "--profile", "ci", "--manifest-path", "x/Cargo.toml", "--exclude", "y"}, nil},
		{"a value that looks like ours", []string{"--target-dir", "--locked", "--jobs=3", "-p", "--offline"}, []string{"--offline"}},
		{"optional values", []string{"--bin", "app", "--package", "app", "-p", "app", "-papp", "--target", "x86_64-unknown-linux-gnu", "--features", "f"},
			[]string{"--features=f"}},
		{"optional value absent", []string{"--bin", "--locked", "-p", "--offline", "--example"}, []string{"--locked", "--offline"}},
		{"-j then -F", []string{"-j", "2", "-Ff"}, []string{"--features=f"}},
		{"-jF: F is -j's value", []string{"-jF"}, nil},
		{"unknown short", []string{"-x", "-F", "a"}, []string{"--features=a"}},
		{"after --", []string{"--locked", "--", "--features", "x"}, []string{"--locked"}},
		{"--timings=html", []string{"--timings=html", "--frozen"}, []string{"--frozen"}},
		{"empty features", []string{"--features="}, []string{"--features="}},
		{"missing value at end", []string{"--features"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := resolutionArgs(tc.args); !slices.Equal(got, tc.want) {
				t.Errorf("resolutionArgs(%q) = %q, want %q", tc.args, got, tc.want)
			}
		})
	}
}

func TestFeatures(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{nil, nil},
		{[]string{"--locked", "--all-features"}, nil},
		{[]string{"-F", "a,b", "--features=c", "--features", "d e"}, []string{"a", "b", "c", "d", "e"}},
		{[]string{"-Fserde/std", "-v", "--jobs", "4"}, []string{"serde/std"}},
		{[]string{"--target-dir", "x", "--", "--features", "not-cargos"}, nil},
	}
	for _, tt := range tests {
		if got := Features(tt.args); !slices.Equal(got, tt.want) {
			t.Errorf("Features(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}
