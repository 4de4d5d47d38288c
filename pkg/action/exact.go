package action

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// encoding/json matches object keys to struct fields case-insensitively, so
// a package parameter CATEGORY_NAME would silently fill a result field
// category_name. Parameters are case-sensitive on the platform; exactKeys
// makes decoding agree by dropping every key that matches a field of the
// input type only by case.

// fieldNames maps the case-folded JSON name of every field of a struct type
// (following embedded structs) to its exact names.
var fieldNamesCache sync.Map // reflect.Type -> map[string][]string

func fieldNames(t reflect.Type) map[string][]string {
	if v, ok := fieldNamesCache.Load(t); ok {
		return v.(map[string][]string)
	}
	names := map[string][]string{}
	collectFieldNames(t, names, 0)
	fieldNamesCache.Store(t, names)
	return names
}

func collectFieldNames(t reflect.Type, names map[string][]string, depth int) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || depth > 4 {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			collectFieldNames(f.Type, names, depth+1)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		folded := strings.ToLower(name)
		names[folded] = append(names[folded], name)
	}
}

// UnmarshalExact is json.Unmarshal with case-sensitive keys: top-level keys
// of data that match a field of v only by case are ignored. v must be a
// pointer. Types with their own UnmarshalJSON use it for their parameters.
func UnmarshalExact(data []byte, v any) error {
	return json.Unmarshal(exactKeys(data, reflect.TypeOf(v)), v)
}

// exactKeys returns value without the top-level keys that match a field of
// t only by case. It returns value itself when nothing is dropped.
func exactKeys(value json.RawMessage, t reflect.Type) json.RawMessage {
	names := fieldNames(t)
	if len(names) == 0 || len(value) == 0 || value[0] != '{' || !caseOnlyMatch(value, names) {
		return value
	}
	var params map[string]json.RawMessage
	if json.Unmarshal(value, &params) != nil {
		return value
	}
	dropped := false
	for k := range params {
		exact, ok := names[strings.ToLower(k)]
		if !ok || slices.Contains(exact, k) {
			continue
		}
		delete(params, k)
		dropped = true
	}
	if !dropped {
		return value
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(params) != nil {
		return value
	}
	return bytes.TrimSpace(buf.Bytes())
}

// caseOnlyMatch reports whether a top-level key of the object value matches
// a field only by case. It scans the bytes once without decoding values, so
// the common case (every key exact) costs no allocation per value. On
// malformed JSON it answers true and leaves the verdict to the decoder.
func caseOnlyMatch(value []byte, names map[string][]string) bool {
	depth, expectKey := 0, false
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case '"':
			j, escaped := i+1, false
			for ; j < len(value) && value[j] != '"'; j++ {
				if value[j] == '\\' {
					escaped = true
					j++
				}
			}
			if j >= len(value) {
				return true
			}
			if depth == 1 && expectKey {
				expectKey = false
				key := string(value[i+1 : j])
				if escaped {
					if json.Unmarshal(value[i:j+1], &key) != nil {
						return true
					}
				}
				if exact, ok := names[strings.ToLower(key)]; ok && !slices.Contains(exact, key) {
					return true
				}
			}
			i = j
		case '{', '[':
			depth++
			expectKey = c == '{' && depth == 1
		case '}', ']':
			depth--
		case ',':
			expectKey = depth == 1
		}
	}
	return false
}
