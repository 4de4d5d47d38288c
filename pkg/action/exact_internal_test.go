package action

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCaseOnlyMatch(t *testing.T) {
	names := map[string][]string{"category_name": {"category_name"}, "bucket_name": {"bucket_name"}}
	tests := []struct {
		json string
		want bool
	}{
		{`{"category_name":"a","bucket_name":"b"}`, false},
		{`{"CATEGORY_NAME":"a"}`, true},
		{`{"x":{"CATEGORY_NAME":"nested keys are not parameters"}}`, false},
		{`{"x":["CATEGORY_NAME",{"Bucket_Name":1}],"y":2}`, false},
		{`{"s":"a \"quoted\" {brace} , \"CATEGORY_NAME\":","z":1}`, false},
		{`{"x":1,"Bucket_Name":2}`, true},
		{`{"CATEGORY\u005fNAME":"escaped"}`, true},
		{`{"category\u005fname":"escaped but exact"}`, false},
		{`{"unterminated`, true},
		{`{}`, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, caseOnlyMatch([]byte(tt.json), names), tt.json)
	}
}
