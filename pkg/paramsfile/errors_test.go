package paramsfile_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/vodflow/vodflow/pkg/paramsfile"
)

func TestParseErrorsSayJSONKindsNotGoTypes(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "a number for a string", in: `{"package":{"name":1}}`, want: "package.name: got a number, want a string"},
		{name: "a list for an object", in: `{"package":{"parameters":[]}}`, want: "package.parameters: got a list, want an object"},
		{name: "a string for an object", in: `{"trigger":"t"}`, want: "trigger: got a string, want an object"},
		{name: "unknown field", in: `{"pakage":{}}`, want: `unknown field "pakage"`},
		{name: "trailing data", in: `{"package":{}} x`, want: "unexpected data after the JSON object, at byte 15"},
		{name: "empty", in: ``, want: "empty: want one JSON object"},
		{name: "cut short", in: `{"package":`, want: "not valid JSON: it ends early"},
		{name: "a list for a VPC number", in: `{"deploy":{"vpc_no":[1]}}`, want: "a VPC or subnet number: want a number or a string, got [1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := paramsfile.Parse([]byte(tt.in))
			assert.EqualError(t, err, tt.want)
			if err != nil {
				assert.NotRegexp(t, `map\[|interface|Go struct|json:`, err.Error())
			}
		})
	}
}
