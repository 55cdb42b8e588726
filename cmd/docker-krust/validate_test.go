package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/docker-krust/docker-krust/config"
)

// Every source of a setting reaches the same checks: flags, the arguments
// after --, the environment, Cargo.toml and the krust config.
func TestOptionsRefuseBadSettings(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		layers []config.Settings
		want   []string
	}{
		{"--port word", []string{"--port", "abc"}, nil, nil, []string{`"abc"`, "--port", "1-65535"}},
		{"--port protocol", []string{"--port", "8080/xyz"}, nil, nil, []string{`"8080/xyz"`, "/sctp"}},
		{"--workdir relative", []string{"--workdir", "app"}, nil, nil, []string{`"app"`, "--workdir", "absolute"}},
		{"--env newline", []string{"--env", "A\nB=1"}, nil, nil, []string{"--env", "newline"}},
		{"--target after --", []string{"--", "--target", "aarch64-unknown-linux-gnu"}, nil, nil, []string{`"--target"`, "arguments after --", "--platform"}},
		{"--target= after --", []string{"--", "--locked", "--target=aarch64-unknown-linux-gnu"}, nil, nil, []string{"--target=aarch64", "--platform"}},
		{"SOURCE_DATE_EPOCH past year 9999", nil, map[string]string{"SOURCE_DATE_EPOCH": "253402300800"}, nil, []string{"SOURCE_DATE_EPOCH", "253402300799"}},
		{"SOURCE_DATE_EPOCH not a number", nil, map[string]string{"SOURCE_DATE_EPOCH": "yesterday"}, nil, []string{`"yesterday"`}},
		{"--file without TO", []string{"--file", "static"}, nil, nil, []string{`--file "static"`, "FROM:TO", "static:/srv/static"}},
		{"--file TO with ..", []string{"--file", "static:/srv/../etc"}, nil, nil, []string{`{ from = "static", to = "/srv/../etc" }`, "(--file)", `".."`}},
		{"files in Cargo.toml", nil, nil, []config.Settings{{Source: "/p/Cargo.toml [package.metadata.krust]", Files: []config.FileSpec{{From: "s", To: "srv"}}}},
			[]string{"files in /p/Cargo.toml [package.metadata.krust]", `"/srv"`}},
		{"port in Cargo.toml", nil, nil, []config.Settings{{Source: "/p/Cargo.toml [package.metadata.krust]", Ports: []string{"70000"}}},
			[]string{`"70000"`, "ports in /p/Cargo.toml [package.metadata.krust]"}},
		{"env key in the krust config", nil, nil, []config.Settings{{}, {}, {Source: "/u/config.toml", Env: map[string]string{"A=B": "1"}}},
			[]string{`env "A=B"`, "env in /u/config.toml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parse(t, tt.env, nil, tt.args, tt.layers...)
			if !errors.Is(err, config.ErrInvalidSetting) {
				t.Fatalf("error %v, want config.ErrInvalidSetting", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
