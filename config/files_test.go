package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSettleChecksFiles(t *testing.T) {
	const pkg = "/p/Cargo.toml [package.metadata.krust]"
	tests := []struct {
		name  string
		files []FileSpec
		want  []string // every string must be in the error; none: no error
	}{
		{"a tree", []FileSpec{{From: "static", To: "/srv/static"}}, nil},
		{"a file and the root", []FileSpec{{From: "ca.crt", To: "/etc/ssl/certs/ca-certificates.crt"}, {From: "rootfs", To: "/"}}, nil},
		{"from with .. and :", []FileSpec{{From: "../shared/a:b", To: "/a:b"}}, nil},
		{"no from", []FileSpec{{To: "/srv"}}, []string{`{ from = "", to = "/srv" }`, "files in " + pkg, "both from and to are needed", `{ from = "static", to = "/srv/static" }`}},
		{"no to", []FileSpec{{From: "static"}}, []string{"both from and to"}},
		{"relative to", []FileSpec{{From: "static", To: "srv/static"}}, []string{"must be absolute", `"/srv/static"`}},
		{"dot-dot in to", []FileSpec{{From: "static", To: "/srv/../etc"}}, []string{`cannot hold ".."`}},
		{"dot-dot ending to", []FileSpec{{From: "static", To: "/srv/.."}}, []string{`cannot hold ".."`}},
		{"unclean to", []FileSpec{{From: "static", To: "/srv//static/"}}, []string{`clean path "/srv/static"`}},
		{"dot in to", []FileSpec{{From: "static", To: "/srv/./static"}}, []string{`clean path "/srv/static"`}},
		{"NUL", []FileSpec{{From: "a\x00b", To: "/x"}}, []string{"NUL"}},
		{"same to twice", []FileSpec{{From: "a", To: "/x"}, {From: "b", To: "/x"}}, []string{`{ from = "b", to = "/x" }`, "same place"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Settle(layered(Settings{}, Settings{Source: pkg, Files: tt.files}))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidSetting) {
				t.Fatalf("got %v, want an ErrInvalidSetting", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// files is a list setting: the first source that sets it gives the whole
// list, flags first, then the package's table, then the workspace's.
func TestSettleFilesPrecedence(t *testing.T) {
	flag := []FileSpec{{From: "f", To: "/f"}}
	pkg := []FileSpec{{From: "p", To: "/p"}, {From: "q", To: "/q"}}
	ws := []FileSpec{{From: "w", To: "/w", Workspace: true}}
	tests := []struct {
		name                 string
		flags, package_, wks []FileSpec
		want                 []FileSpec
	}{
		{"flag wins", flag, pkg, ws, flag},
		{"package over workspace", nil, pkg, ws, pkg},
		{"workspace alone", nil, nil, ws, ws},
		{"none", nil, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Settle(layered(Settings{Files: tt.flags}, Settings{Source: "p", Files: tt.package_}, Settings{Source: "w", Files: tt.wks}))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Files, tt.want) {
				t.Errorf("files = %v, want %v", r.Files, tt.want)
			}
		})
	}
}

// Cargo.toml's files tables are read from both tables; the workspace's
// are marked as relative to the workspace root; a value of the wrong
// type is named in TOML words with the file.
func TestCargoSettingsFiles(t *testing.T) {
	dir := t.TempDir()
	ws, member := filepath.Join(dir, "Cargo.toml"), filepath.Join(dir, "api", "Cargo.toml")
	write := func(path, content string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(ws, "[workspace]\nmembers = [\"api\"]\n\n[workspace.metadata.krust]\nfiles = [{ from = \"certs/ca.crt\", to = \"/etc/ssl/certs/ca-certificates.crt\" }]\n")
	write(member, "[package]\nname = \"api\"\n\n[[package.metadata.krust.files]]\nfrom = \"static\"\nto = \"/srv/static\"\n\n[[package.metadata.krust.files]]\nfrom = \"tz\"\nto = \"/usr/share/zoneinfo\"\n")
	var warn strings.Builder
	pkg, wsS, err := CargoSettings(member, ws, &warn)
	if err != nil {
		t.Fatal(err)
	}
	wantPkg := []FileSpec{{From: "static", To: "/srv/static"}, {From: "tz", To: "/usr/share/zoneinfo"}}
	wantWs := []FileSpec{{From: "certs/ca.crt", To: "/etc/ssl/certs/ca-certificates.crt", Workspace: true}}
	if !slices.Equal(pkg.Files, wantPkg) || !slices.Equal(wsS.Files, wantWs) || warn.Len() != 0 {
		t.Errorf("package files %v, workspace files %v, warnings %q", pkg.Files, wsS.Files, warn.String())
	}
	write(member, "[package]\nname = \"api\"\n[package.metadata.krust]\nfiles = [{ from = \"s\", to = \"/s\", mode = \"0600\" }]\n")
	if _, _, err := CargoSettings(member, ws, &warn); err != nil || !strings.Contains(warn.String(), `unknown key "files[0].mode" in [package.metadata.krust] ignored`) {
		t.Errorf("an unknown key of a files entry: %v, warnings %q", err, warn.String())
	}
	bad := map[string]string{
		"files = \"static\"":                    "want an array of tables, not a string",
		"files = [\"static:/srv\"]":             "want a table, not a string",
		"files = [{ from = 1, to = \"/srv\" }]": "want a string, not an integer (1)",
	}
	for text, want := range bad {
		write(member, "[package]\nname = \"api\"\n[package.metadata.krust]\n"+text+"\n")
		_, _, err := CargoSettings(member, ws, &warn)
		if !errors.Is(err, ErrInvalidSetting) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), member) || !strings.Contains(err.Error(), "files") {
			t.Errorf("%s: got %v, want %q naming %s", text, err, want, member)
		}
	}
}

func TestParseFileSpec(t *testing.T) {
	tests := []struct {
		in       string
		from, to string
		ok       bool
	}{
		{"static:/srv/static", "static", "/srv/static", true},
		{"a:b:/c:d", "a:b", "/c:d", true},
		{"../shared:/", "../shared", "/", true},
		{"/etc/ssl/certs/ca.crt:/etc/ssl/certs/ca.crt", "/etc/ssl/certs/ca.crt", "/etc/ssl/certs/ca.crt", true},
		{"static", "", "", false},
		{"static:srv", "", "", false},
		{":/srv", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		got, err := ParseFileSpec(tt.in)
		if tt.ok != (err == nil) || got.From != tt.from || got.To != tt.to {
			t.Errorf("ParseFileSpec(%q) = %+v, %v", tt.in, got, err)
		}
		if err != nil && (!errors.Is(err, ErrFileSpec) || !strings.Contains(err.Error(), "static:/srv/static")) {
			t.Errorf("ParseFileSpec(%q): error %v gives no example", tt.in, err)
		}
	}
}
