package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/config"
)

func TestBuildProfile(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		layers      []config.Settings
		wantProfile string
		wantArgs    []string
		wantInErr   []string
	}{
		{name: "default", wantProfile: "release"},
		{name: "--profile", args: []string{"--profile", "dist"}, wantProfile: "dist"},
		{name: "-- --profile", args: []string{"--", "--locked", "--profile", "dist"}, wantProfile: "dist", wantArgs: []string{"--locked"}},
		{name: "-- --profile=dev", args: []string{"--", "--profile=dev"}, wantProfile: "dev"},
		{name: "-- --release", args: []string{"--", "--release"}, wantProfile: "release"},
		{name: "-- -r", args: []string{"--", "-r", "--locked"}, wantProfile: "release", wantArgs: []string{"--locked"}},
		{name: "flag and -- agree", args: []string{"--profile", "release", "--", "-r"}, wantProfile: "release"},
		{
			name: "flag and -- differ", args: []string{"--profile", "dev", "--", "--profile", "dist"},
			wantInErr: []string{"--profile dev", "profile dist", "different profiles"},
		},
		{name: "-- two profiles", args: []string{"--", "--release", "--profile", "dev"}, wantInErr: []string{"two profiles"}},
		{name: "-- beats the profile key", args: []string{"--", "--profile", "dist"}, layers: []config.Settings{{Profile: "dev"}}, wantProfile: "dist"},
		{
			name: "the profile key beats cargo-args", layers: []config.Settings{{Profile: "dev", CargoArgs: []string{"--profile", "dist", "--locked"}}},
			wantProfile: "dev", wantArgs: []string{"--locked"},
		},
		{
			name: "cargo-args setting", layers: []config.Settings{{}, {CargoArgs: []string{"--release", "--locked"}}}, args: []string{"--", "-v"},
			wantProfile: "release", wantArgs: []string{"--locked", "-v"},
		},
		{name: "bad flag", args: []string{"--profile", "a/b"}, wantInErr: []string{`"a/b"`, "letters, digits"}},
		{name: "bad key", layers: []config.Settings{{Profile: "no way"}}, wantInErr: []string{`"no way"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, _, err := parse(t, nil, nil, tt.args, tt.layers...)
			if tt.wantInErr != nil {
				if err == nil {
					t.Fatalf("profile %q, want an error", opts.Profile)
				}
				for _, s := range tt.wantInErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not contain %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if opts.Profile != tt.wantProfile || !slices.Equal(opts.CargoArgs, tt.wantArgs) {
				t.Errorf("profile %q cargo args %q, want %q and %q", opts.Profile, opts.CargoArgs, tt.wantProfile, tt.wantArgs)
			}
		})
	}
}
