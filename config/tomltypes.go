package config

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/docker-krust/docker-krust/internal/problems"
	"github.com/pelletier/go-toml/v2"
)

// typeProblem is a value of the wrong TOML type at a key.
type typeProblem struct {
	// path are the keys to the value, and index the array indexes after
	// them ("[2]"), if any.
	path      []string
	index     string
	want, got string
	line      int
	// hint is how to write it, when it is plain (a string where an array
	// of strings is wanted); "" for none.
	hint string
}

// Unwrap makes a value of the wrong type an ErrInvalidSetting.
func (p typeProblem) Unwrap() error { return ErrInvalidSetting }

func (p typeProblem) Error() string {
	where := tomlKey(p.path) + p.index
	if p.line > 0 {
		where = fmt.Sprintf("line %d: %s", p.line, where)
	}
	msg := fmt.Sprintf("%s: want %s, not %s", where, p.want, p.got)
	if p.hint != "" {
		msg += ": write " + p.hint
	}
	return msg
}

// checkTypes checks every value of the TOML document data that target (a
// pointer to the struct it decodes into) has a field for, and returns one
// problem per value of the wrong type, in TOML words (an array, a table,
// an integer...) with its line, all at once: the decoder would name Go
// types (`[]interface {}`), and the first value only. Keys target does
// not know are left to the unknown-key warnings; a document that does not
// parse is left to the decoder, whose syntax errors speak TOML.
// Each problem starts with file, which names the document. It decodes
// data again: call it when the decoder failed or decodedKindsWrong.
func checkTypes(data []byte, target any, file string) error {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil
	}
	var found []typeProblem
	checkValue(doc, reflect.TypeOf(target).Elem(), nil, typeProblem{}, &found)
	if len(found) == 0 {
		return nil
	}
	lines := keyLines(data)
	for i := range found {
		found[i].line = lines[strings.Join(found[i].path, "\x00")]
	}
	slices.SortFunc(found, func(a, b typeProblem) int {
		return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(tomlKey(a.path)+a.index, tomlKey(b.path)+b.index))
	})
	errs := make([]error, len(found))
	for i, p := range found {
		errs[i] = fmt.Errorf("%s: %w", file, p)
	}
	return problems.Join(errs...)
}

// decodedKindsWrong reports whether a value the decoder put into an any
// field (v, a decoded struct) holds a TOML type the field's kinds tag does
// not allow: the decoder let it through, and checkTypes then names it.
func decodedKindsWrong(v reflect.Value) bool {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return false
	}
	for i := range v.NumField() {
		f, kinds := v.Field(i), strings.Fields(v.Type().Field(i).Tag.Get("kinds"))
		var values []reflect.Value
		switch {
		case len(kinds) == 0:
			if decodedKindsWrong(f) {
				return true
			}
		case f.Kind() == reflect.Slice:
			for j := range f.Len() {
				values = append(values, f.Index(j))
			}
		default:
			values = append(values, f)
		}
		for _, value := range values {
			if !value.IsNil() && !slices.Contains(kinds, strings.Fields(tomlKind(value.Interface()))[1]) {
				return true
			}
		}
	}
	return false
}

// checkValue checks v, decoded where at says, against the Go type t: for
// an interface, against kinds, the TOML types its field's kinds tag allows
// (e.g. `kinds:"string boolean"`; for a slice, its elements'), if any.
func checkValue(v any, t reflect.Type, kinds []string, at typeProblem, found *[]typeProblem) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	key := func(k string) typeProblem {
		return typeProblem{path: append(at.path[:len(at.path):len(at.path)], k)}
	}
	var ok bool
	switch t.Kind() {
	case reflect.Interface:
		ok = len(kinds) == 0 || slices.Contains(kinds, strings.Fields(tomlKind(v))[1])
	case reflect.Struct, reflect.Map:
		var table map[string]any
		if table, ok = v.(map[string]any); ok {
			for k, value := range table {
				if t.Kind() == reflect.Map {
					checkValue(value, t.Elem(), nil, key(k), found)
				} else if field, known := fieldFor(t, k); known {
					checkValue(value, field.Type, strings.Fields(field.Tag.Get("kinds")), key(k), found)
				}
			}
		}
	case reflect.Slice:
		var array []any
		if array, ok = v.([]any); ok {
			for i, value := range array {
				checkValue(value, t.Elem(), kinds, typeProblem{path: at.path, index: fmt.Sprintf("%s[%d]", at.index, i)}, found)
			}
		}
	default:
		ok = tomlKind(v) == kindWords(t.Kind())
	}
	if ok {
		return
	}
	at.want, at.got = typeWords(t, kinds), tomlValue(v)
	at.hint = arrayHint(v, t, kinds, at.path)
	*found = append(*found, at)
}

// arrayHint returns how to write v, one value where t wants an array of
// such values, as that array: `tags = ["v1"]`; "" when it does not fit.
func arrayHint(v any, t reflect.Type, kinds []string, path []string) string {
	if t.Kind() != reflect.Slice || len(path) == 0 {
		return ""
	}
	var elem []typeProblem
	checkValue(v, t.Elem(), kinds, typeProblem{}, &elem)
	key := tomlKey(path[len(path)-1:])
	switch v := v.(type) {
	case string:
		if len(elem) == 0 {
			return fmt.Sprintf("%s = [%q]", key, v)
		}
	case int64:
		if len(elem) == 0 {
			return fmt.Sprintf("%s = [%d]", key, v)
		}
	}
	return ""
}

// fieldFor returns t's field that TOML key names (by its toml tag, in t
// or a struct embedded in it without a tag).
func fieldFor(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if f.Anonymous && name == "" {
			if inner, ok := fieldFor(f.Type, key); ok {
				return inner, true
			}
			continue
		}
		if name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// decodeCargoManifest decodes the Cargo.toml data at path into m. Its
// errors name path and the line; a value of the wrong type in a krust
// table is named in TOML words, every one at once.
func decodeCargoManifest(data []byte, m *cargoManifest, path string) error {
	err := toml.Unmarshal(data, m)
	if err != nil || decodedKindsWrong(reflect.ValueOf(m)) {
		if typeErr := checkTypes(data, &cargoManifest{}, path); typeErr != nil {
			return typeErr
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, positioned(err))
	}
	return nil
}
