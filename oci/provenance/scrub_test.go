package provenance

import (
	"bytes"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

// TestEncodeRecordsBuildSettingsOnly: every string of the Input that may
// hold a secret goes through package scrub: cargo's arguments by its
// allow-list, URLs without user information whatever the password holds,
// a layout base without its directories.
func TestEncodeRecordsBuildSettingsOnly(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Input)
		want   []string // in the document
	}{
		{"proxy password with =", func(in *Input) {
			in.Params.CargoArgs = []string{"--config", `http.proxy="http://user:p=ss;SECRET@proxy:3128"`}
		}, []string{`"http.proxy=<redacted>"`}},
		{"env value", func(in *Input) {
			in.Params.CargoArgs = []string{"--config", `env.API_KEY="SECRET"`, "--config=env.OTHER=SECRET"}
		}, []string{`"env.API_KEY=<redacted>"`, `"--config=env.OTHER=<redacted>"`}},
		{"unknown key", func(in *Input) {
			in.Params.CargoArgs = []string{"--config", `my.key="SECRET"`}
		}, []string{`"my.key=<redacted>"`}},
		{"unknown option", func(in *Input) {
			in.Params.CargoArgs = []string{"--token", "SECRET", "--other=SECRET"}
		}, []string{`"--token"`, `"<redacted>"`, `"--other=<redacted>"`}},
		{"build settings kept", func(in *Input) {
			in.Params.CargoArgs = []string{"--config", `profile.release.lto="fat"`, "--locked", "-F", "tls"}
		}, []string{`"profile.release.lto=\"fat\""`, `"--locked"`, `"-F"`, `"tls"`}},
		{"repository with a slash in the password", func(in *Input) {
			in.Source.Repository = "https://bob:p/SECRET@git.example.com/x"
		}, []string{`"uri": "git+https://git.example.com/x@`}},
		{"repository with a space and a quote in the password", func(in *Input) {
			in.Source.Repository = `https://bob:p "SECRET@git.example.com/x?token=SECRET#SECRET`
		}, []string{`"uri": "git+https://git.example.com/x@`}},
		{"repository in scp syntax", func(in *Input) {
			in.Source.Repository = "SECRET@git.example.com:o/r.git"
		}, []string{`"uri": "git+ssh://git.example.com/o/r.git@`}},
		{"repository that is no URL", func(in *Input) {
			in.Source.Repository = "/home/SECRET/src/r"
		}, []string{`"name": "source"`}},
		{"layout base", func(in *Input) {
			in.Params.Base = "oci:/home/SECRET/layouts/base:v1"
			in.Base = &Base{Name: "oci:/home/SECRET/layouts/base:v1", Digest: digest.FromString("base")}
		}, []string{`"base": "oci:<local>/base:v1"`, `"name": "oci:<local>/base:v1"`}},
		{"layout base in a home directory", func(in *Input) {
			in.Params.Base = "oci:/home/SECRET:v1"
			in.Base = &Base{Name: "oci:/home/SECRET:v1", Digest: digest.FromString("base")}
		}, []string{`"base": "oci:<local>:v1"`}},
		{"builder with user information", func(in *Input) {
			in.Builder.ID = "https://ci:SECRET@ci.example.com/run/1"
		}, []string{`"id": "https://ci.example.com/run/1"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fullInput()
			tt.change(&in)
			doc := encode(t, in)
			if bytes.Contains(doc, []byte("SECRET")) {
				t.Errorf("the document holds the secret:\n%s", doc)
			}
			for _, w := range tt.want {
				if !bytes.Contains(doc, []byte(w)) {
					t.Errorf("the document lacks %s:\n%s", w, doc)
				}
			}
			parse(t, doc)
		})
	}
}

// TestEncodeErrorsHoldNoSecret: an error about the base names it as the
// document would, also when the layout was given by a relative path that
// climbs into a home directory.
func TestEncodeErrorsHoldNoSecret(t *testing.T) {
	in := fullInput()
	in.Base = &Base{Name: "oci:../../home/SECRET/base:v1", Digest: "sha256:zz"}
	_, err := Encode(in)
	if err == nil || strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "oci:<local>/base:v1") {
		t.Errorf("Encode error = %v, want one naming oci:<local>/base:v1 only", err)
	}
}
