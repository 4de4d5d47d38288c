package action

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/suggest"
)

// WebPrefix starts the names of the web request's parameters (__ow_method,
// __ow_headers, __ow_path, __ow_query, __ow_body).
const WebPrefix = "__ow_"

// Params are one activation's parameters, decoded once and split by key
// (see the package doc for the rule).
type Params struct {
	// Config holds the bound configuration (UPPER_CASE keys).
	Config map[string]json.RawMessage
	// Web holds the web request (__ow_* keys).
	Web map[string]json.RawMessage
	// Payload holds every other key: the event or the previous result.
	Payload map[string]json.RawMessage

	// read are the struct types DecodeConfig decoded into (in readBuf
	// for the usual one or two, so recording them allocates nothing);
	// readAll is set when it decoded into a map (every key read).
	read    []reflect.Type
	readBuf [2]reflect.Type
	readAll bool
}

// noteRead records what a DecodeConfig call reads.
func (p *Params) noteRead(v any) {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer {
		return
	}
	switch t = t.Elem(); t.Kind() {
	case reflect.Map:
		p.readAll = true
	case reflect.Struct:
		for _, r := range p.read {
			if r == t {
				return
			}
		}
		if p.read == nil {
			p.read = p.readBuf[:0]
		}
		p.read = append(p.read, t)
	}
}

// UnknownConfig lists, sorted, the configuration keys that no
// DecodeConfig call so far could read: names none of the structs decoded
// into has a field for. It is nil when DecodeConfig was not called (the
// edge cannot tell what the handler reads) or decoded into a map.
func (p *Params) UnknownConfig() []string {
	if len(p.read) == 0 || p.readAll {
		return nil
	}
	var out []string
	for k := range p.Config {
		if !p.known(k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func (p *Params) known(name string) bool {
	for _, t := range p.read {
		if _, ok := fieldNames(t)[name]; ok {
			return true
		}
	}
	return false
}

// knownConfig lists the configuration names the decoded structs read.
func (p *Params) knownConfig() []string {
	var out []string
	for _, t := range p.read {
		for _, f := range structFields(t) {
			if IsConfigName(f.name) {
				out = append(out, f.name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// ConfigWarnings says, for each key of UnknownConfig, that the action
// does not read it, with the closest name it reads ("did you mean
// INPUT_PREFIX?"). The edge adds them to the activation's result and log
// line.
func (p *Params) ConfigWarnings() []string {
	unknown := p.UnknownConfig()
	if len(unknown) == 0 {
		return nil
	}
	known := p.knownConfig()
	out := make([]string, 0, len(unknown))
	for _, k := range unknown {
		w := "unknown parameter " + k + ": this action does not read it"
		if s := suggest.Closest(k, known); s != "" {
			w += "; did you mean " + s + "?"
		}
		out = append(out, w)
	}
	return out
}

// IsConfigName reports whether a parameter name is configuration: upper-case
// letters, digits and underscores, starting with a letter.
func IsConfigName(name string) bool {
	if name == "" || name[0] < 'A' || name[0] > 'Z' {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// ParseParams decodes an activation's value (a JSON object, or null/absent
// for none) once and splits it. The raw values share value's memory (no
// copy): value must not change while they are in use.
func ParseParams(value []byte) (*Params, error) {
	p := &Params{Config: map[string]json.RawMessage{}, Web: map[string]json.RawMessage{}, Payload: map[string]json.RawMessage{}}
	value = bytes.TrimSpace(value)
	if len(value) == 0 || string(value) == "null" {
		return p, nil
	}
	var all map[string]rawField
	if value[0] != '{' || json.Unmarshal(value, &all) != nil {
		return nil, &Error{Code: CodeInvalidActivation, Status: 400,
			Message: "parameters are not a JSON object (got " + kindName(value) + ")"}
	}
	for k, v := range all {
		switch {
		case strings.HasPrefix(k, WebPrefix):
			p.Web[k] = json.RawMessage(v)
		case IsConfigName(k):
			p.Config[k] = json.RawMessage(v)
		default:
			p.Payload[k] = json.RawMessage(v)
		}
	}
	return p, nil
}

// rawField is a field's raw JSON value kept as a slice of the text being
// decoded, not a copy: json.Unmarshal decodes from the caller's slice, which
// the loop never reuses or changes (a line read is a fresh slice), so the
// slice stays valid for the activation. It saves a copy of every value.
type rawField []byte

// UnmarshalJSON keeps b.
func (r *rawField) UnmarshalJSON(b []byte) error {
	*r = b
	return nil
}

// DecodeConfig decodes the configuration into v, a pointer to a struct
// whose fields carry the parameter names as json tags (embedded structs
// are followed). Only keys that match a field exactly are read; an absent
// key leaves its field as it was. The struct's field names are recorded:
// a configuration key none of them has is reported by [Params.UnknownConfig].
func (p *Params) DecodeConfig(v any) error {
	p.noteRead(v)
	return DecodeFields(p.Config, v)
}

// DecodePayload decodes the payload into v, as DecodeConfig does.
func (p *Params) DecodePayload(v any) error { return DecodeFields(p.Payload, v) }

// DecodeFields decodes each field of the struct v points to from the raw
// value under its json name (the field's name when untagged) in fields,
// once; names match exactly. A value that does not decode is an error
// naming the field (an [*Error] with Param set), the JSON kind it got and
// the kind it wants.
func DecodeFields(fields map[string]json.RawMessage, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.Elem().Kind() == reflect.Map && rv.Elem().Type().Key().Kind() == reflect.String {
		return decodeMap(fields, rv.Elem())
	}
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("action: decode into %T: want a pointer to a struct or a map", v)
	}
	if len(fields) == 0 {
		return nil
	}
	for _, f := range structFields(rv.Elem().Type()) {
		raw, ok := fields[f.name]
		if !ok {
			continue
		}
		dst := fieldByIndex(rv.Elem(), f.index)
		if err := json.Unmarshal(raw, dst.Addr().Interface()); err != nil {
			return fieldError(f.name, raw, dst.Type(), err)
		}
	}
	return nil
}

// decodeMap adds every field to the map m (map[string]T).
func decodeMap(fields map[string]json.RawMessage, m reflect.Value) error {
	if m.IsNil() {
		m.Set(reflect.MakeMapWithSize(m.Type(), len(fields)))
	}
	et := m.Type().Elem()
	for k, raw := range fields {
		ev := reflect.New(et)
		if err := json.Unmarshal(raw, ev.Interface()); err != nil {
			return fieldError(k, raw, et, err)
		}
		m.SetMapIndex(reflect.ValueOf(k).Convert(m.Type().Key()), ev.Elem())
	}
	return nil
}

// fieldError is the error for the parameter name, of Go type t, whose raw
// value could not be decoded: it names the parameter, what it got and what
// it wants, in JSON words (never Go type names).
func fieldError(name string, raw json.RawMessage, t reflect.Type, err error) error {
	var c Coder
	if errors.As(err, &c) {
		return err
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return Invalid(name, "not valid JSON")
		}
		return Invalid(name, "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	got, want := kindName(raw), wantName(t)
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		// A tolerant parameter type (package param) says what it got and
		// the Go type it wanted.
		want = wantName(te.Type)
		if !isKindWord(te.Value) {
			got = te.Value
		}
	} else if k := param.Kind(raw); (k == "array" && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array)) ||
		(k == "object" && (t.Kind() == reflect.Map || t.Kind() == reflect.Struct)) {
		item, _, _ := strings.Cut(te.Value, " ")
		got += " holding " + kindWord(item)
	}
	return Invalid(name, "got %s, want %s", got, want)
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func isKindWord(s string) bool {
	switch s {
	case "", "number", "string", "array", "object", "bool", "null", "empty":
		return true
	}
	return false
}

// kindWord turns encoding/json's and package param's kind words into a
// user's.
func kindWord(w string) string {
	switch w {
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "bool":
		return "true or false"
	case "null", "":
		return "null"
	case "empty":
		return "nothing"
	}
	return "a " + w
}

// kindName is the JSON kind of raw as a user would say it.
func kindName(raw []byte) string { return kindWord(param.Kind(raw)) }

// wantName says what a Go type accepts, in JSON words.
func wantName(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.String {
			return "a list of strings"
		}
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "another kind of value"
}

type field struct {
	name  string
	index []int
}

var (
	fieldCache sync.Map // reflect.Type → []field
	nameCache  sync.Map // reflect.Type → map[string]struct{}
)

// fieldNames is the set of structFields(t)'s names.
func fieldNames(t reflect.Type) map[string]struct{} {
	if v, ok := nameCache.Load(t); ok {
		return v.(map[string]struct{})
	}
	fs := structFields(t)
	set := make(map[string]struct{}, len(fs))
	for _, f := range fs {
		set[f.name] = struct{}{}
	}
	nameCache.Store(t, set)
	return set
}

// structFields lists the JSON-named fields of t, following embedded
// structs (pointers to them too), the outer name winning.
func structFields(t reflect.Type) []field {
	if v, ok := fieldCache.Load(t); ok {
		return v.([]field)
	}
	var out []field
	seen := map[string]bool{}
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		var embedded [][]int
		var embeddedTypes []reflect.Type
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), index...), i)
			ft := f.Type
			if f.Anonymous && name == "" {
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					embedded = append(embedded, idx)
					embeddedTypes = append(embeddedTypes, ft)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if !seen[name] {
				seen[name] = true
				out = append(out, field{name: name, index: idx})
			}
		}
		for i, idx := range embedded {
			walk(embeddedTypes[i], idx)
		}
	}
	walk(t, nil)
	fieldCache.Store(t, out)
	return out
}

// fieldByIndex is reflect.Value.FieldByIndex, allocating nil embedded
// pointers on the way.
func fieldByIndex(v reflect.Value, index []int) reflect.Value {
	for _, x := range index {
		// The first step is from the struct itself, never a pointer.
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}
