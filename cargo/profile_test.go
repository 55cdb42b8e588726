package cargo

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitProfile(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		wantProfile string
		wantRest    []string
		wantInErr   []string
	}{
		{name: "none", args: []string{"--locked", "--features", "x"}, wantRest: []string{"--locked", "--features", "x"}},
		{name: "no arguments", args: nil, wantRest: []string{}},
		{name: "--profile NAME", args: []string{"--locked", "--profile", "dist"}, wantProfile: "dist", wantRest: []string{"--locked"}},
		{name: "--profile=NAME", args: []string{"--profile=dev", "-v"}, wantProfile: "dev", wantRest: []string{"-v"}},
		{name: "--release", args: []string{"--release"}, wantProfile: "release", wantRest: []string{}},
		{name: "-r", args: []string{"-r", "--locked"}, wantProfile: "release", wantRest: []string{"--locked"}},
		{name: "-r in a cluster", args: []string{"-vr"}, wantProfile: "release", wantRest: []string{"-v"}},
		{name: "-p's value r is no release", args: []string{"-pr"}, wantRest: []string{"-pr"}},
		{name: "--release and --profile release agree", args: []string{"--release", "--profile", "release"}, wantProfile: "release", wantRest: []string{}},
		{name: "after -- is not ours", args: []string{"--", "--release"}, wantRest: []string{"--", "--release"}},
		{
			name: "two profiles", args: []string{"--release", "--profile", "dev"},
			wantInErr: []string{"two profiles", "release", "dev"},
		},
		{name: "missing name", args: []string{"--profile"}, wantInErr: []string{"--profile needs a profile name"}},
		{name: "empty name", args: []string{"--profile="}, wantInErr: []string{"empty profile name"}},
		{name: "name with a slash", args: []string{"--profile", "../x"}, wantInErr: []string{`"../x"`, "letters, digits"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			profile, rest, err := SplitProfile(tt.args)
			if tt.wantInErr != nil {
				if err == nil {
					t.Fatalf("SplitProfile(%q) = %q, %q; want an error", tt.args, profile, rest)
				}
				for _, s := range tt.wantInErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("SplitProfile(%q): %v", tt.args, err)
			}
			if profile != tt.wantProfile || !slices.Equal(rest, tt.wantRest) {
				t.Errorf("SplitProfile(%q) = %q, %q; want %q, %q", tt.args, profile, rest, tt.wantProfile, tt.wantRest)
			}
		})
	}
}

func TestProfileDir(t *testing.T) {
	for profile, want := range map[string]string{
		"release": "release", "dev": "debug", "test": "debug", "bench": "release", "dist": "dist",
	} {
		if got := ProfileDir(profile); got != want {
			t.Errorf("ProfileDir(%q) = %q, want %q", profile, got, want)
		}
	}
}
