package cargo

import (
	"bytes"
	"regexp"
	"slices"
)

// Bounds of what linkScan keeps of cargo's stderr: a linker that fails
// on a large program prints thousands of lines, of which the first few
// names say what is missing.
const (
	maxScanLine  = 4096
	maxScanNames = 8
)

// linkScan reads cargo's stderr as it passes to the user, for what a
// failed link or build script says about native libraries. Only names
// (of libraries, archives, symbols and crates, in the characters such
// names have) are kept, never a path or a whole line.
type linkScan struct {
	partial  []byte
	overlong bool
	// linkFailed says rustc reported that the linker failed.
	linkFailed bool
	// missing are the libraries the linker found no archive of (-lNAME).
	missing []string
	// archives are the libraries (libNAME.a) with undefined symbols, and
	// symbols the first of those symbols.
	archives, symbols []string
	// scriptFailed are the crates ("NAME vVERSION") whose build script
	// failed.
	scriptFailed []string
}

var (
	reLinkFailed   = regexp.MustCompile("error: linking with `[^`]*` failed")
	reMissingLib   = regexp.MustCompile(`(?:cannot find|unable to find library) -l([A-Za-z0-9_.+-]{1,100})`)
	reUndefinedSym = regexp.MustCompile("(?:undefined reference to [`']|undefined symbol: )([A-Za-z0-9_.$@]{1,100})(?:['\\s]|$)")
	reArchive      = regexp.MustCompile(`(?:^|[\s/])lib([A-Za-z0-9_.+-]{1,100})\.a(?:\(|$|\s)`)
	reScriptFailed = regexp.MustCompile("failed to run custom build command for `([A-Za-z0-9_-]{1,100} v[A-Za-z0-9.+-]{1,100})`")
)

// Write scans p line by line; it never fails, so the user's copy of
// cargo's stderr is never cut short by it.
func (s *linkScan) Write(p []byte) (int, error) {
	rest := p
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			s.keep(rest)
			break
		}
		s.keep(rest[:i])
		if !s.overlong {
			s.scanLine(s.partial)
		}
		s.partial, s.overlong = s.partial[:0], false
		rest = rest[i+1:]
	}
	return len(p), nil
}

// keep adds b to the current line, which is skipped once too long.
func (s *linkScan) keep(b []byte) {
	if s.overlong || len(s.partial)+len(b) > maxScanLine {
		s.overlong = true
		return
	}
	s.partial = append(s.partial, b...)
}

// reANSI matches the colour and style sequences cargo and rustc write
// to a terminal.
var reANSI = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

func (s *linkScan) scanLine(line []byte) {
	if bytes.IndexByte(line, 0x1b) >= 0 {
		line = reANSI.ReplaceAll(line, nil)
	}
	if reLinkFailed.Match(line) {
		s.linkFailed = true
	}
	if m := reScriptFailed.FindSubmatch(line); m != nil {
		s.scriptFailed = addName(s.scriptFailed, string(m[1]))
	}
	if m := reMissingLib.FindSubmatch(line); m != nil {
		s.missing = addName(s.missing, string(m[1]))
	}
	if m := reUndefinedSym.FindSubmatch(line); m != nil {
		s.symbols = addName(s.symbols, string(m[1]))
	}
	if bytes.Contains(line, []byte("in archive ")) || bytes.Contains(line, []byte(".a(")) {
		if m := reArchive.FindSubmatch(line); m != nil {
			s.archives = addName(s.archives, string(m[1]))
		}
	}
}

// addName adds name to list, once, up to maxScanNames names.
func addName(list []string, name string) []string {
	if len(list) >= maxScanNames || slices.Contains(list, name) {
		return list
	}
	return append(list, name)
}
