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
		{"empty strings", `{"id":"","ttl":"","flag":"","names":""}`,
			input{Names: param.List{Items: []string{}, Set: true}}},
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
	assert.Empty(t, param.List{Set: true}.Or([]string{"d"}))
}
