package suggest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/vodflow/vodflow/pkg/suggest"
)

func TestClosest(t *testing.T) {
	known := []string{"INPUT_PREFIX", "CATEGORY_NAME", "CATEGORY_ID", "DEDUP_WINDOW", "build", "bench"}
	for _, tt := range []struct{ name, want string }{
		{"INPUT_PREFX", "INPUT_PREFIX"},    // a letter missing
		{"CATEGORY_NAEM", "CATEGORY_NAME"}, // two swapped
		{"DEDUP_WINDWO", "DEDUP_WINDOW"},
		{"category_id", "CATEGORY_ID"}, // case is ignored
		{"buld", "build"},
		{"bech", "bench"},
		{"bnech", ""},            // a swap is two edits, over a third of five letters
		{"INPUT_PREFIX", ""},     // itself is never a suggestion
		{"REGION", ""},           // nothing close
		{"x", ""},                // one letter may differ, but no candidate is one letter away
		{"CATEGORY_XXXXXXX", ""}, // too far
	} {
		assert.Equal(t, tt.want, suggest.Closest(tt.name, known), tt.name)
	}
	assert.Equal(t, "", suggest.Closest("anything", nil))
}
