package param

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// String is a string parameter that also accepts a JSON number, keeping its
// text (an id typed as 1234 or "1234" decodes to "1234").
type String string

// UnmarshalJSON implements json.Unmarshaler.
func (s *String) UnmarshalJSON(b []byte) error {
	switch Kind(b) {
	case "null":
		*s = ""
		return nil
	case "number":
		*s = String(bytes.TrimSpace(b))
		return nil
	case "string":
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return typeError(b, reflect.TypeFor[string]())
		}
		*s = String(strings.TrimSpace(v))
		return nil
	}
	return typeError(b, reflect.TypeFor[string]())
}

// Int is an integer parameter given as a JSON number or a numeric string.
// Set reports whether the parameter was present and non-empty.
type Int struct {
	Value int64
	Set   bool
}

// Or returns the value when set, else def.
func (i Int) Or(def int64) int64 {
	if i.Set {
		return i.Value
	}
	return def
}

// UnmarshalJSON implements json.Unmarshaler.
func (i *Int) UnmarshalJSON(b []byte) error {
	text := strings.TrimSpace(string(b))
	switch Kind(b) {
	case "null":
		*i = Int{}
		return nil
	case "string":
		if err := json.Unmarshal(b, &text); err != nil {
			return typeError(b, reflect.TypeFor[int64]())
		}
		text = strings.TrimSpace(text)
		if text == "" {
			*i = Int{}
			return nil
		}
	case "number":
	default:
		return typeError(b, reflect.TypeFor[int64]())
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "non-integer " + strconv.Quote(text), Type: reflect.TypeFor[int64]()}
	}
	*i = Int{Value: v, Set: true}
	return nil
}

// Bool is a flag given as true/false or as one of the strings
// "true", "false", "1", "0", "yes", "no", "on", "off" (any case). An empty
// string is false.
type Bool bool

// UnmarshalJSON implements json.Unmarshaler.
func (p *Bool) UnmarshalJSON(b []byte) error {
	switch Kind(b) {
	case "null":
		*p = false
		return nil
	case "bool":
		var v bool
		if err := json.Unmarshal(b, &v); err != nil {
			return typeError(b, reflect.TypeFor[bool]())
		}
		*p = Bool(v)
		return nil
	case "string":
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return typeError(b, reflect.TypeFor[bool]())
		}
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "1", "yes", "on":
			*p = true
			return nil
		case "false", "0", "no", "off", "":
			*p = false
			return nil
		}
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(v), Type: reflect.TypeFor[bool]()}
	}
	return typeError(b, reflect.TypeFor[bool]())
}

// List is a list of strings given as a JSON array of strings, as a string
// holding a JSON array of strings ("[\"a/\",\"b/\"]", what the console
// sends for a list typed as JSON), or as one comma-separated string. Items
// are trimmed; empty items are dropped.
//
// Set reports whether the parameter holds at least one item. An empty value
// ("", " ", [], "[]", [""], " , ") is not set: for every list parameter it
// means "use the default", as an empty INPUT_PREFIX means "none", so a
// blanked console field never switches a default list off.
type List struct {
	Items []string
	Set   bool
}

// Or returns the items when set, else def.
func (l List) Or(def []string) []string {
	if l.Set {
		return l.Items
	}
	return def
}

// UnmarshalJSON implements json.Unmarshaler.
func (l *List) UnmarshalJSON(b []byte) error {
	var raw []string
	switch Kind(b) {
	case "null":
		*l = List{}
		return nil
	case "string":
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return typeError(b, reflect.TypeFor[[]string]())
		}
		if t := strings.TrimSpace(v); strings.HasPrefix(t, "[") && json.Valid([]byte(t)) {
			// A JSON list sent as a string: read it as that list.
			if err := json.Unmarshal([]byte(t), &raw); err != nil {
				return &json.UnmarshalTypeError{Value: "a string holding a JSON list with an item that is not a string", Type: reflect.TypeFor[[]string]()}
			}
			break
		}
		raw = strings.Split(v, ",")
	case "array":
		if err := json.Unmarshal(b, &raw); err != nil {
			return &json.UnmarshalTypeError{Value: "a list with an item that is not a string", Type: reflect.TypeFor[[]string]()}
		}
	default:
		return typeError(b, reflect.TypeFor[[]string]())
	}
	var items []string
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" {
			items = append(items, s)
		}
	}
	*l = List{Items: items, Set: len(items) > 0}
	return nil
}

func typeError(b []byte, t reflect.Type) error {
	return &json.UnmarshalTypeError{Value: Kind(b), Type: t}
}

// Kind names the JSON type of the value in b: "object", "array",
// "string", "bool", "null", "number", or "empty".
func Kind(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "empty"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// ValidText reports whether the JSON text b (a string, or any value) holds
// only valid UTF-8: no invalid byte and no \u escape of a lone surrogate
// (\ud800). encoding/json replaces both with U+FFFD when it decodes into a
// string, so a key checked only after decoding names another object;
// check the raw bytes first.
func ValidText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if i+1 < len(b) && b[i+1] != 'u' {
			i++ // an escaped character, maybe a backslash
			continue
		}
		r, ok := hex4(b, i+2)
		if !ok {
			continue // not an escape json accepts; the decoder says so
		}
		i += 5
		switch {
		case 0xDC00 <= r && r <= 0xDFFF:
			return false // a low surrogate alone
		case 0xD800 <= r && r <= 0xDBFF:
			if i+2 >= len(b) || b[i+1] != '\\' || b[i+2] != 'u' {
				return false // a high surrogate alone
			}
			lo, ok := hex4(b, i+3)
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 6
		}
	}
	return true
}

// hex4 reads the 4 hex digits of a \u escape at b[at:].
func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[at:at+4]), 16, 16)
	return rune(n), err == nil
}
