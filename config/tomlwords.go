package config

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/docker-krust/docker-krust/internal/human"
	"github.com/pelletier/go-toml/v2"
)

// oneOf says which of kinds (TOML type names: string, integer...) a value
// may be: "a string or a boolean", or in the plural "strings or booleans";
// no kinds is any value.
func oneOf(kinds []string, plural bool) string {
	if len(kinds) == 0 {
		return map[bool]string{true: "values", false: "any value"}[plural]
	}
	words := make([]string, len(kinds))
	for i, k := range kinds {
		switch {
		case plural:
			words[i] = human.Plural(k)
		case strings.ContainsRune("aeiou", rune(k[0])):
			words[i] = "an " + k
		default:
			words[i] = "a " + k
		}
	}
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// typeWords says what a Go type holds, in TOML words; kinds are the TOML
// types an interface (or a slice's interface elements) may hold.
func typeWords(t reflect.Type, kinds []string) string {
	switch t.Kind() {
	case reflect.Interface:
		return oneOf(kinds, false)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Interface {
			return "an array of " + oneOf(kinds, true)
		}
		return "an array of " + pluralWords(t.Elem())
	case reflect.Map:
		return "a table of " + pluralWords(t.Elem())
	case reflect.Struct:
		return "a table"
	}
	return kindWords(t.Kind())
}

func pluralWords(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice:
		return "arrays"
	case reflect.Map, reflect.Struct:
		return "tables"
	}
	one := kindWords(t.Kind())
	return human.Plural(one[strings.Index(one, " ")+1:])
}

func kindWords(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a float"
	}
	return "a value"
}

// tomlKind names the TOML type of a value go-toml decoded into an any.
func tomlKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time, toml.LocalDateTime:
		return "a datetime"
	case toml.LocalDate:
		return "a date"
	case toml.LocalTime:
		return "a time"
	}
	return fmt.Sprintf("a value of an unknown type (%T)", v)
}

// tomlValue names a value's TOML type and, for a scalar, the value.
func tomlValue(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("a string (%q)", v)
	case []any, map[string]any:
		return tomlKind(v)
	default:
		return fmt.Sprintf("%s (%v)", tomlKind(v), v)
	}
}

// tomlKey writes a key path as TOML does, quoting the parts that are not
// bare keys.
func tomlKey(path []string) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = p
		if p == "" || strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != "" {
			parts[i] = fmt.Sprintf("%q", p)
		}
	}
	return strings.Join(parts, ".")
}
