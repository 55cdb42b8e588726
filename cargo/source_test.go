package cargo

import (
	"strings"
	"testing"
)

func TestParseSource(t *testing.T) {
	const root = "/home/dev/src/ws"
	tests := []struct {
		name, source, manifest string
		want                   Source
		wantErr                string
	}{
		{"crates.io", "registry+https://github.com/rust-lang/crates.io-index", "", Source{Kind: SourceRegistry, URL: CratesIO}, ""},
		{"crates.io sparse", "sparse+https://index.crates.io/", "", Source{Kind: SourceRegistry, URL: CratesIO}, ""},
		{"crates.io sparse without slash", "sparse+https://index.crates.io", "", Source{Kind: SourceRegistry, URL: CratesIO}, ""},
		{"other registry", "registry+https://git.example.com/index.git", "", Source{Kind: SourceRegistry, URL: "https://git.example.com/index.git"}, ""},
		{"other sparse", "sparse+https://cargo.example.com/api/v1/crates/", "", Source{Kind: SourceRegistry, URL: "https://cargo.example.com/api/v1/crates/"}, ""},
		{"git branch", "git+https://github.com/o/r?branch=main#0123abc", "", Source{Kind: SourceGit, URL: "https://github.com/o/r", Ref: "branch=main", Rev: "0123abc"}, ""},
		{"git tag", "git+https://github.com/o/r.git?tag=v1.2.0#89ab", "", Source{Kind: SourceGit, URL: "https://github.com/o/r.git", Ref: "tag=v1.2.0", Rev: "89ab"}, ""},
		{"git rev", "git+ssh://git@example.com/r?rev=89ab#89abcdef", "", Source{Kind: SourceGit, URL: "ssh://git@example.com/r", Ref: "rev=89ab", Rev: "89abcdef"}, ""},
		{"git default branch", "git+https://github.com/o/r#0123abc", "", Source{Kind: SourceGit, URL: "https://github.com/o/r", Rev: "0123abc"}, ""},
		{"git encoded branch", "git+https://github.com/o/r?branch=feature%2Fx#0123", "", Source{Kind: SourceGit, URL: "https://github.com/o/r", Ref: "branch=feature/x", Rev: "0123"}, ""},
		{"git no URL", "git+?branch=x#1", "", Source{}, "has no URL"},
		{"path member", "", root + "/api/Cargo.toml", Source{Kind: SourcePath, Path: "api"}, ""},
		{"path root", "", root + "/Cargo.toml", Source{Kind: SourcePath, Path: "."}, ""},
		{"path nested", "", root + "/crates/a/b/Cargo.toml", Source{Kind: SourcePath, Path: "crates/a/b"}, ""},
		{"path outside", "", "/home/dev/src/shared/util/Cargo.toml", Source{Kind: SourcePath, Path: "../shared/util"}, ""},
		{"path without manifest", "", "", Source{}, "without a manifest path"},
		{"unknown kind", "directory+file:///vendor", "/vendor/x/Cargo.toml", Source{}, `"directory+file:///vendor" of /vendor/x/Cargo.toml is of a kind krust does not know`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSource(tc.source, tc.manifest, root)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseSource(%q) = %+v, %v; want error %q", tc.source, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseSource(%q, %q) = %+v, %v; want %+v", tc.source, tc.manifest, got, err, tc.want)
			}
			if wantCratesIO := tc.want.URL == CratesIO; got.IsCratesIO() != wantCratesIO {
				t.Errorf("IsCratesIO = %v", got.IsCratesIO())
			}
		})
	}
}
