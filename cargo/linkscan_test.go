package cargo

import (
	"slices"
	"strings"
	"testing"
)

func TestLinkScan(t *testing.T) {
	tests := []struct {
		name                      string
		stderr                    string
		failed                    bool
		missing, archives, script []string
	}{
		{"GNU ld, no archive", "error: linking with `cc` failed: exit status: 1\n  = note: /usr/bin/ld: cannot find -lssl: No such file or directory\n", true, []string{"ssl"}, nil, nil},
		{"lld, no archive", "error: linking with `cc` failed: exit status: 1\n  = note: rust-lld: error: unable to find library -ludev\n", true, []string{"udev"}, nil, nil},
		{"GNU ld, undefined", "error: linking with `cc` failed: exit status: 1\n  = note: /usr/bin/ld: /home/me/x/libssh2.a(openssl.o): in function `f':\n  openssl.c:(.text+0x1): undefined reference to `EVP_PKEY_get1_DSA'\n", true, nil, []string{"ssh2"}, nil},
		{"lld, undefined", "error: linking with `cc` failed\n  rust-lld: error: undefined symbol: BN_num_bits\n  >>> referenced by openssl.o:(f) in archive /usr/lib/x86_64-linux-gnu/libssh2.a\n", true, nil, []string{"ssh2"}, nil},
		{"in colour", "\x1b[1m\x1b[91merror\x1b[0m\x1b[1m: linking with `cc` failed\x1b[0m\n  \x1b[1m= note\x1b[0m: rust-lld: error: unable to find library -ludev\n", true, []string{"udev"}, nil, nil},
		{"build script", "error: failed to run custom build command for `libudev-sys v0.1.4`\n", false, nil, nil, []string{"libudev-sys v0.1.4"}},
		{"an overlong line is skipped", "error: linking with `cc` failed\n" + strings.Repeat("x", 2*maxScanLine) + " cannot find -lhidden\ncannot find -lshown\n", true, []string{"shown"}, nil, nil},
		{"a line split across writes", "error: linking with `cc` failed\ncannot find -lsp|lit\n", true, []string{"split"}, nil, nil},
		{"a command line naming archives is no undefined symbol", "\"cc\" \"/x/libfoo.a\" \"-lbar\"\n", false, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s linkScan
			for _, part := range strings.Split(tt.stderr, "|") {
				if n, err := s.Write([]byte(part)); n != len(part) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if s.linkFailed != tt.failed || !slices.Equal(s.missing, tt.missing) || !slices.Equal(s.archives, tt.archives) || !slices.Equal(s.scriptFailed, tt.script) {
				t.Errorf("scan = failed %v missing %q archives %q scripts %q; want %v %q %q %q",
					s.linkFailed, s.missing, s.archives, s.scriptFailed, tt.failed, tt.missing, tt.archives, tt.script)
			}
		})
	}
	var s linkScan
	for i := 0; i < 1000; i++ {
		s.Write([]byte("undefined reference to `sym" + strings.Repeat("a", i%50) + "'\n"))
	}
	if len(s.symbols) != maxScanNames {
		t.Errorf("kept %d symbols, want at most %d", len(s.symbols), maxScanNames)
	}
}
