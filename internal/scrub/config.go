package scrub

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// configSettings is the allow-list of cargo config keys whose values are
// build settings and are recorded (cargo's configuration reference, cargo
// 1.95): what is compiled, for which target, with which compiler, flags
// and profile. "*" stands for any one key (a target triple or cfg(...)),
// "**" for any keys below. Every other key, env.*, http.*, net.* (but
// offline), registries.*, registry.*, source.*, patch.*, alias.*,
// credential-alias.*, target.*.runner and the build-script overrides
// among them, keeps its key and loses its value.
var configSettings = [][]string{
	{"build", "target"}, {"build", "rustflags"}, {"build", "incremental"}, {"build", "jobs"},
	{"build", "rustc"}, {"build", "rustc-wrapper"}, {"build", "rustc-workspace-wrapper"},
	{"build", "target-dir"},
	{"target", "*", "rustflags"}, {"target", "*", "linker"},
	{"profile", "**"},
	{"unstable", "**"},
	{"resolver", "incompatible-rust-versions"},
	{"net", "offline"},
}

// Config returns one --config value fit for a document: a KEY=VALUE
// setting written again as TOML (KEY=VALUE, or KEY={...} for a table),
// each value whose key is not on the allow-list (configSettings)
// replaced by Redacted, the others scrubbed (see Value); a path (of a
// config file) scrubbed as a Path. A value that is neither keeps its key
// when one can be read, and loses the rest.
func Config(kv string) string {
	return forDocument.config(kv)
}

// ConfigForLog is Config for what krust prints: local paths are kept.
func ConfigForLog(kv string) string {
	return forLog.config(kv)
}

func (s scrubber) config(kv string) string {
	var tree map[string]any
	if err := toml.Unmarshal([]byte(kv), &tree); err != nil || len(tree) == 0 {
		if !strings.Contains(kv, "=") {
			return s.path(kv)
		}
		if key, ok := configKey(kv); ok {
			return key + "=" + Redacted
		}
		return Redacted
	}
	var entries []string
	for _, k := range sortedKeys(tree) {
		entries = append(entries, s.entry([]string{k}, tree[k]))
	}
	return strings.Join(entries, "\n")
}

// configKey reads the key of a KEY=VALUE whose value is no TOML value
// (env.TOKEN=abc), written again as TOML: the first "=" after which the
// key reads as one is the one that ends it.
func configKey(kv string) (string, bool) {
	for i := strings.IndexByte(kv, '='); i >= 0; {
		var tree map[string]any
		if toml.Unmarshal([]byte(kv[:i]+"=0"), &tree) == nil {
			if keys, ok := singlePath(tree); ok {
				return encodeKey(keys), true
			}
		}
		j := strings.IndexByte(kv[i+1:], '=')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return "", false
}

// singlePath returns the keys of a tree holding one value.
func singlePath(tree map[string]any) ([]string, bool) {
	var keys []string
	for {
		if len(tree) != 1 {
			return nil, false
		}
		for k, v := range tree {
			keys = append(keys, k)
			sub, ok := v.(map[string]any)
			if !ok {
				return keys, true
			}
			tree = sub
		}
	}
}

// entry writes KEYS=VALUE, folding tables of one key into the dotted key.
func (s scrubber) entry(keys []string, v any) string {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for k, child := range m {
			return s.entry(append(keys, k), child)
		}
	}
	return encodeKey(keys) + "=" + s.keyValue(keys, v)
}

// keyValue writes v, the value of keys: a table inline, key by key; another
// value as TOML when keys are allowed, else Redacted.
func (s scrubber) keyValue(keys []string, v any) string {
	if m, ok := v.(map[string]any); ok {
		var parts []string
		for _, k := range sortedKeys(m) {
			parts = append(parts, encodeKey([]string{k})+"="+s.keyValue(append(slices.Clone(keys), k), m[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	if !allowed(keys) {
		return Redacted
	}
	return s.tomlValue(v)
}

// tomlValue writes an allowed value as TOML, its strings scrubbed.
func (s scrubber) tomlValue(v any) string {
	switch x := v.(type) {
	case string:
		return tomlString(s.value(x))
	case bool, int64:
		return fmt.Sprint(x)
	case float64:
		f := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(f, ".eIN") {
			f += ".0"
		}
		return f
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = s.tomlValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		var parts []string
		for _, k := range sortedKeys(x) {
			parts = append(parts, encodeKey([]string{k})+"="+s.tomlValue(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case toml.LocalDate, toml.LocalTime, toml.LocalDateTime:
		return fmt.Sprint(x)
	}
	return Redacted
}

// allowed reports whether keys are on the allow-list.
func allowed(keys []string) bool {
	for _, pattern := range configSettings {
		if matches(pattern, keys) {
			return true
		}
	}
	return false
}

func matches(pattern, keys []string) bool {
	for i, p := range pattern {
		if p == "**" {
			return true
		}
		if i >= len(keys) || p != "*" && p != keys[i] {
			return false
		}
	}
	return len(keys) == len(pattern)
}

// bareKey is a TOML key that needs no quotes.
var bareKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// encodeKey writes keys as a dotted TOML key.
func encodeKey(keys []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k
		if !bareKey.MatchString(k) {
			parts[i] = tomlString(k)
		}
	}
	return strings.Join(parts, ".")
}

// tomlString writes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
