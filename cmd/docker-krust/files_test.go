package main

import (
	"slices"
	"testing"

	"github.com/docker-krust/docker-krust/config"
)

// --file is repeatable, keeps its order and replaces Cargo.toml's files
// whole, as every list setting given on the command line does.
func TestFileFlags(t *testing.T) {
	pkg := config.Settings{Source: "/p/Cargo.toml [package.metadata.krust]", Files: []config.FileSpec{{From: "web", To: "/srv/web"}}}
	tests := []struct {
		name string
		args []string
		want []config.FileSpec
	}{
		{"flags replace Cargo.toml's", []string{"--file", "static:/srv/static", "--file", "certs/ca.crt:/etc/ssl/certs/ca-certificates.crt"},
			[]config.FileSpec{{From: "static", To: "/srv/static"}, {From: "certs/ca.crt", To: "/etc/ssl/certs/ca-certificates.crt"}}},
		{"Cargo.toml's without flags", nil, pkg.Files},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _, err := parse(t, nil, nil, tt.args, pkg)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(req.Files, tt.want) {
				t.Errorf("files = %v, want %v", req.Files, tt.want)
			}
		})
	}
}
