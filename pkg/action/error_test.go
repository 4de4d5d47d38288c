package action_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/vodflow/vodflow/pkg/action"
)

func TestErrorText(t *testing.T) {
	cause := errors.New("connection reset")
	tests := []struct {
		name string
		err  *action.Error
		want string
	}{
		{"message and cause", &action.Error{Message: "list categories", Err: cause}, "list categories: connection reset"},
		{"cause alone", &action.Error{Err: cause}, "connection reset"},
		{"message alone", &action.Error{Message: "no category"}, "no category"},
		{"neither", &action.Error{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

// Param is the first word of the name; a blank name has none.
func TestMissingAndInvalidNameTheParam(t *testing.T) {
	tests := []struct{ name, wantParam string }{
		{"CATEGORY_NAME (or CATEGORY_ID)", "CATEGORY_NAME"},
		{"object_name", "object_name"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.wantParam, action.Missing(tt.name).Param)
			assert.Equal(t, tt.wantParam, action.Invalid(tt.name, "bad").Param)
		})
	}
}
