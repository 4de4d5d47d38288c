package param_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/param"
)

type input struct {
	ID    param.String `json:"id"`
	TTL   param.Int    `json:"ttl"`
	Flag  param.Bool   `json:"flag"`
	Names param.List   `json:"names"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want input
	}{
		{"absent", `{}`, input{}},
		{"nulls", `{"id":null,"ttl":null,"flag":null,"names":null}`, input{}},
		{"native types", `{"id":"c-1","ttl":300,"flag":true,"names":["a/","b/"]}`,
			input{ID: "c-1", TTL: param.Int{Value: 300, Set: true}, Flag: true, Names: param.List{Items: []string{"a/", "b/"}, Set: true}}},
		{"console strings", `{"id":1234,"ttl":"  60 ","flag":"YES","names":" a/ , ,b/ "}`,
			input{ID: "1234", TTL: param.Int{Value: 60, Set: true}, Flag: true, Names: param.List{Items: []string{"a/", "b/"}, Set: true}}},
		{"empty strings", `{"id":"","ttl":"","flag":"","names":""}`, input{}},
		{"false forms", `{"flag":"off"}`, input{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got input
			require.NoError(t, json.Unmarshal([]byte(tt.in), &got))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDecodeErrorsNameTheField(t *testing.T) {
	tests := []struct{ in, field, value string }{
		{`{"id":{"a":1}}`, "id", "object"},
		{`{"ttl":"soon"}`, "ttl", `non-integer "soon"`},
		{`{"ttl":1.5}`, "ttl", `non-integer "1.5"`},
		{`{"ttl":[1]}`, "ttl", "array"},
		{`{"flag":"maybe"}`, "flag", `string "maybe"`},
		{`{"flag":3}`, "flag", "number"},
		{`{"names":[1,2]}`, "names", "a list with an item that is not a string"},
		{`{"names":7}`, "names", "number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got input
			err := json.Unmarshal([]byte(tt.in), &got)
			var te *json.UnmarshalTypeError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tt.field, te.Field)
			assert.Equal(t, tt.value, te.Value)
		})
	}
}

func TestOr(t *testing.T) {
	assert.Equal(t, int64(5), param.Int{}.Or(5))
	assert.Equal(t, int64(0), param.Int{Set: true}.Or(5))
	assert.Equal(t, []string{"d"}, param.List{}.Or([]string{"d"}))
	assert.Equal(t, []string{"x"}, param.List{Items: []string{"x"}, Set: true}.Or([]string{"d"}))
}

// TestListEmptyMeansNotSet: every empty form of a list is "not set", so
// Or gives the default (a blanked console field never disables a default).
func TestListEmptyMeansNotSet(t *testing.T) {
	for _, in := range []string{`""`, `" "`, `"  ,  , "`, `[]`, `[""]`, `[" ",""]`, `"[]"`, `" [ ] "`, `"[\"\", \" \"]"`, `null`} {
		t.Run(in, func(t *testing.T) {
			var l param.List
			require.NoError(t, json.Unmarshal([]byte(in), &l))
			assert.Equal(t, param.List{}, l)
			assert.Equal(t, []string{"default"}, l.Or([]string{"default"}))
		})
	}
}

// TestListJSONString: a string that is a JSON list is read as that list,
// never split on its commas; other strings are comma-separated.
func TestListJSONString(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`"[\"uploads/\"]"`, []string{"uploads/"}},
		{`"[\"mp4\",\"mov\"]"`, []string{"mp4", "mov"}},
		{`" [ \" a/ \" , \"b,c/\" ] "`, []string{"a/", "b,c/"}},
		{`"[\"uploads/\",\"\"]"`, []string{"uploads/"}},
		{`"mp4,mov"`, []string{"mp4", "mov"}},
		{`"[draft]/,x/"`, []string{"[draft]/", "x/"}}, // not JSON: a comma list
		{`"[draft]/"`, []string{"[draft]/"}},
		{`["[\"a\"]"]`, []string{`["a"]`}}, // a real list is never re-read
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var l param.List
			require.NoError(t, json.Unmarshal([]byte(tt.in), &l))
			assert.Equal(t, param.List{Items: tt.want, Set: true}, l)
		})
	}
	var l param.List
	var te *json.UnmarshalTypeError
	require.ErrorAs(t, json.Unmarshal([]byte(`"[1,2]"`), &l), &te)
	assert.Contains(t, te.Value, "JSON list")
}

// TestValidText: raw JSON text with an invalid byte or an escaped lone
// surrogate is not valid text (encoding/json would decode either to
// U+FFFD); escaped backslashes and surrogate pairs are fine.
func TestValidText(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`"uploads/a.mp4"`, true},
		{`"uploads/한글.mp4"`, true},
		{`"\u00e9 \ud83c\udfac.mp4"`, true},
		{`"a\\ud800.mp4"`, true}, // an escaped backslash, then text
		{`"a\\\ud800.mp4"`, false},
		{`"\uD800.mp4"`, false},
		{`"\udfff.mp4"`, false},
		{`"\ud800\u0041.mp4"`, false},
		{`"\ud800"`, false},
		{`["a.mp4","\ud800"]`, false},
		{"\"a\xff.mp4\"", false},
		{"\"\xed\xa0\x80.mp4\"", false}, // a surrogate encoded in UTF-8
		{`"\u12"`, true},                // not an escape json accepts: left to the decoder
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, param.ValidText([]byte(tt.in)))
		})
	}
}
