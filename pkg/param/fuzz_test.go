package param

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// fuzzParams is an action parameter struct using every tolerant type, at
// the top level and in a nested object.
type fuzzParams struct {
	ID     String `json:"id"`
	TTL    Int    `json:"ttl"`
	Flag   Bool   `json:"flag"`
	Names  List   `json:"names"`
	Nested struct {
		ID    String `json:"id"`
		TTL   Int    `json:"ttl"`
		Flag  Bool   `json:"flag"`
		Names List   `json:"names"`
	} `json:"nested"`
}

// fuzzFields are the Field values a decoding error of fuzzParams may name.
var fuzzFields = map[string]bool{
	"id": true, "ttl": true, "flag": true, "names": true, "nested": true,
	"nested.id": true, "nested.ttl": true, "nested.flag": true, "nested.names": true,
}

// FuzzParams unmarshals arbitrary bytes into a struct of the tolerant
// parameter types, and each type on its own, and checks that decoding
// never panics and keeps the package contract:
//
//   - invalid JSON fails with a *json.SyntaxError; valid JSON fails only
//     with a *json.UnmarshalTypeError, and for a JSON object its Field names
//     the struct field (the error names the parameter);
//   - a decoded value is normal (a String and List items are trimmed, List
//     items non-empty, an unset Int or List is zero, a set List has items)
//     and decodes again, from its canonical JSON form, to the same value;
//   - a type decodes the same value alone as it does as a struct field, and
//     decoding is deterministic.
func FuzzParams(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"id":null,"ttl":null,"flag":null,"names":null}`,
		`{"id":"c-1","ttl":300,"flag":true,"names":["a/","b/"]}`,
		`{"id":1234,"ttl":"  60 ","flag":"YES","names":" a/ , ,b/ "}`,
		`{"id":"","ttl":"","flag":"","names":""}`,
		`{"flag":"off","ttl":"-0","id":-1.5e3}`,
		`{"id":{"a":1}}`,
		`{"ttl":"soon"}`,
		`{"ttl":1.5}`,
		`{"ttl":9223372036854775808}`,
		`{"ttl":[1]}`,
		`{"flag":"maybe"}`,
		`{"flag":3}`,
		`{"names":[1,2]}`,
		`{"names":[null," x ",""]}`,
		`{"names":7}`,
		`{"nested":{"ttl":"x"}}`,
		`{"nested":[1]}`,
		`{"ID":" upper ","Names":"a,b"}`,
		`"\u00a0 x \u00a0"`,
		`[1]`,
		`null`,
		`{"id":"`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got, again fuzzParams
		err := json.Unmarshal(data, &got)
		if err2 := json.Unmarshal(data, &again); !reflect.DeepEqual(got, again) || !reflect.DeepEqual(err, err2) {
			t.Fatalf("not deterministic: %+v, %v then %+v, %v", got, err, again, err2)
		}
		checkParamError(t, data, err, true)
		if err == nil {
			checkString(t, got.ID)
			checkString(t, got.Nested.ID)
			checkInt(t, got.TTL)
			checkInt(t, got.Nested.TTL)
			checkBool(t, got.Flag)
			checkBool(t, got.Nested.Flag)
			checkList(t, got.Names)
			checkList(t, got.Nested.Names)
		}

		// Each type alone, and as the only field of an object.
		for _, v := range []any{new(String), new(Int), new(Bool), new(List)} {
			alone := reflect.New(reflect.TypeOf(v).Elem())
			errAlone := json.Unmarshal(data, alone.Interface())
			checkParamError(t, data, errAlone, false)
			if !json.Valid(data) {
				continue
			}
			field := reflect.New(reflect.StructOf([]reflect.StructField{
				{Name: "V", Type: alone.Type().Elem(), Tag: `json:"v"`},
			}))
			errField := json.Unmarshal([]byte(`{"v":`+string(data)+`}`), field.Interface())
			if (errAlone == nil) != (errField == nil) {
				t.Fatalf("%T: alone: %v, as a field: %v", v, errAlone, errField)
			}
			if errAlone == nil && !reflect.DeepEqual(alone.Elem().Interface(), field.Elem().Field(0).Interface()) {
				t.Fatalf("%T: alone %+v, as a field %+v", v, alone.Elem().Interface(), field.Elem().Field(0).Interface())
			}
			if errField != nil {
				var te *json.UnmarshalTypeError
				if !errors.As(errField, &te) || te.Field != "v" {
					t.Fatalf("%T: field error %v does not name the field", v, errField)
				}
			}
		}
	})
}

// checkParamError checks the error of decoding data. inStruct says the
// target was fuzzParams, whose errors must name a field.
func checkParamError(t *testing.T, data []byte, err error, inStruct bool) {
	t.Helper()
	if err == nil {
		return
	}
	if err.Error() == "" {
		t.Fatalf("empty error text")
	}
	if !json.Valid(data) {
		var se *json.SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("invalid JSON %q failed with %T %v, want a *json.SyntaxError", data, err, err)
		}
		return
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		t.Fatalf("valid JSON %q failed with %T %v, want a *json.UnmarshalTypeError", data, err, err)
	}
	if inStruct && Kind(data) == "object" && !fuzzFields[te.Field] {
		t.Fatalf("error %v names field %q, want a field of the struct", err, te.Field)
	}
}

// redecode unmarshals canonical into a new value of v's type and fails
// unless it equals v.
func redecode[T any](t *testing.T, v T, canonical string) {
	t.Helper()
	var w T
	if err := json.Unmarshal([]byte(canonical), &w); err != nil {
		t.Fatalf("%T %+v: canonical form %s does not decode: %v", v, v, canonical, err)
	}
	if !reflect.DeepEqual(v, w) {
		t.Fatalf("%T %+v: canonical form %s decodes to %+v", v, v, canonical, w)
	}
}

func checkString(t *testing.T, s String) {
	t.Helper()
	if string(s) != strings.TrimSpace(string(s)) {
		t.Fatalf("String %q is not trimmed", s)
	}
	b, err := json.Marshal(string(s))
	if err != nil {
		t.Fatal(err)
	}
	redecode(t, s, string(b))
}

func checkInt(t *testing.T, i Int) {
	t.Helper()
	if !i.Set {
		if i.Value != 0 {
			t.Fatalf("unset Int has value %d", i.Value)
		}
		redecode(t, i, "null")
		return
	}
	redecode(t, i, strconv.FormatInt(i.Value, 10))
	redecode(t, i, strconv.Quote(strconv.FormatInt(i.Value, 10)))
}

func checkBool(t *testing.T, b Bool) {
	t.Helper()
	redecode(t, b, strconv.FormatBool(bool(b)))
}

func checkList(t *testing.T, l List) {
	t.Helper()
	if !l.Set {
		if l.Items != nil {
			t.Fatalf("unset List has items %q", l.Items)
		}
		redecode(t, l, "null")
		return
	}
	if len(l.Items) == 0 {
		t.Fatalf("set List has no items")
	}
	for _, s := range l.Items {
		if s == "" || s != strings.TrimSpace(s) {
			t.Fatalf("List item %q is empty or not trimmed", s)
		}
	}
	b, err := json.Marshal(l.Items)
	if err != nil {
		t.Fatal(err)
	}
	redecode(t, l, string(b))
}
