package cargo

import (
	"strings"
)

// tripleCfg returns the cfg values rustc sets for a Linux target triple,
// enough to evaluate the [target.'cfg(...)'] tables of cargo config files:
// target_arch, target_os, target_env, target_vendor, target_family,
// target_pointer_width, target_endian and unix.
func tripleCfg(triple string) map[string][]string {
	parts := strings.SplitN(triple, "-", 4)
	if len(parts) < 3 {
		return nil
	}
	arch := parts[0]
	switch {
	case strings.HasPrefix(arch, "armv7"), strings.HasPrefix(arch, "arm"):
		arch = "arm"
	case arch == "i686", arch == "i586":
		arch = "x86"
	}
	cfg := map[string][]string{
		"target_arch":   {arch},
		"target_vendor": {parts[1]},
		"target_os":     {parts[2]},
		"target_endian": {"little"},
	}
	if len(parts) == 4 {
		env := parts[3]
		for _, abi := range []string{"eabihf", "eabi"} {
			env = strings.TrimSuffix(env, abi)
		}
		cfg["target_env"] = []string{env}
	}
	if parts[2] == "linux" {
		cfg["target_family"] = []string{"unix"}
		cfg["unix"] = nil
	}
	width := "64"
	if arch == "arm" || arch == "x86" {
		width = "32"
	}
	cfg["target_pointer_width"] = []string{width}
	return cfg
}

// cfgMatches evaluates a cargo config target key such as
// cfg(all(unix, target_arch = "x86_64")) against cfg. Keys rustc would set
// but tripleCfg does not know (target_feature, ...) are false.
func cfgMatches(key string, cfg map[string][]string) bool {
	inner, ok := strings.CutPrefix(strings.TrimSpace(key), "cfg(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return false
	}
	p := &cfgParser{s: strings.TrimSuffix(inner, ")")}
	v := p.expr(cfg)
	p.skipSpace()
	return v && !p.err && p.pos == len(p.s)
}

// cfgParser reads a cfg expression: NAME, NAME = "VALUE", all(...),
// any(...) or not(...).
type cfgParser struct {
	s   string
	pos int
	err bool
}

func (p *cfgParser) expr(cfg map[string][]string) bool {
	name := p.ident()
	p.skipSpace()
	switch {
	case p.peek('(') && (name == "all" || name == "any" || name == "not"):
		return p.call(name, cfg)
	case p.peek('='):
		p.pos++
		value := p.str()
		for _, v := range cfg[name] {
			if v == value {
				return true
			}
		}
		return false
	case name == "":
		p.err = true
		return false
	}
	_, ok := cfg[name]
	return ok
}

// call evaluates all(...), any(...) or not(...), positioned at "(".
func (p *cfgParser) call(name string, cfg map[string][]string) bool {
	p.pos++
	var results []bool
	for p.skipSpace(); !p.peek(')') && !p.err; p.skipSpace() {
		results = append(results, p.expr(cfg))
		p.skipSpace()
		if p.peek(',') {
			p.pos++
		} else if !p.peek(')') {
			p.err = true
		}
	}
	p.pos++
	switch name {
	case "not":
		return len(results) == 1 && !results[0]
	case "all":
		for _, r := range results {
			if !r {
				return false
			}
		}
		return true
	}
	for _, r := range results {
		if r {
			return true
		}
	}
	return false
}

func (p *cfgParser) ident() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c != '_' && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') {
			break
		}
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *cfgParser) str() string {
	p.skipSpace()
	if !p.peek('"') {
		p.err = true
		return ""
	}
	end := strings.IndexByte(p.s[p.pos+1:], '"')
	if end < 0 {
		p.err = true
		return ""
	}
	v := p.s[p.pos+1 : p.pos+1+end]
	p.pos += end + 2
	return v
}

func (p *cfgParser) peek(c byte) bool { return p.pos < len(p.s) && p.s[p.pos] == c }

func (p *cfgParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}
