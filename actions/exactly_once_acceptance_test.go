package actions_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEmptyListParameterMeansDefault: a list parameter set to an empty
// value ("", " ", [], "[]") is not set, so lookup-category uses its
// default: with EXTENSIONS empty an .mp4 upload is submitted (it was
// skipped as unsupported_extension), and with EXCLUDE_PREFIXES empty
// nothing is excluded.
func TestEmptyListParameterMeansDefault(t *testing.T) {
	for _, param := range []string{"EXTENSIONS", "EXCLUDE_PREFIXES"} {
		for _, empty := range []any{"", " ", " , ", []any{}, "[]", []any{""}} {
			t.Run(param+"="+jsonText(empty), func(t *testing.T) {
				e := setup(t, nil, map[string]any{param: empty})
				res := fire(t, e, map[string]any{"object_name": "uploads/clip.mp4"})
				require.NotContains(t, res, "error")
				assert.NotContains(t, res, "skipped")
				assert.EqualValues(t, 1, res["submitted"])
				subs := e.vod.Submissions()
				require.Len(t, subs, 1)
				assert.Equal(t, []string{"uploads/clip.mp4"}, subs[0].Paths)
			})
		}
	}
	t.Run("EXTENSIONS empty still skips what the default skips", func(t *testing.T) {
		e := setup(t, nil, map[string]any{"EXTENSIONS": ""})
		res := fire(t, e, map[string]any{"object_name": "uploads/notes.txt"})
		assert.Equal(t, "unsupported_extension", res["reason"])
		assert.Empty(t, e.vod.Calls())
	})
}

// TestJSONListStringParameters: a list parameter given as a string that
// holds a JSON list (what the console sends) is read as that list, not
// split on its commas.
func TestJSONListStringParameters(t *testing.T) {
	tests := []struct {
		name   string
		lookup map[string]any
		key    string
		skip   string // "" when submitted
	}{
		{"EXCLUDE_PREFIXES guards", map[string]any{"EXCLUDE_PREFIXES": `["uploads/"]`}, "uploads/clip.mp4", "excluded_prefix"},
		{"EXCLUDE_PREFIXES, two items", map[string]any{"EXCLUDE_PREFIXES": `["encoded/", "uploads/"]`}, "uploads/clip.mp4", "excluded_prefix"},
		{"EXCLUDE_PREFIXES lets others through", map[string]any{"EXCLUDE_PREFIXES": `["encoded/"]`}, "uploads/clip.mp4", ""},
		{"EXTENSIONS accepts", map[string]any{"EXTENSIONS": `["mp4"]`}, "uploads/clip.mp4", ""},
		{"EXTENSIONS accepts the second", map[string]any{"EXTENSIONS": `["mov","mp4"]`}, "uploads/clip.mp4", ""},
		{"EXTENSIONS refuses others", map[string]any{"EXTENSIONS": `["mov"]`}, "uploads/clip.mp4", "unsupported_extension"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, nil, tt.lookup)
			res := fire(t, e, map[string]any{"object_name": tt.key})
			require.NotContains(t, res, "error")
			if tt.skip != "" {
				assert.Equal(t, true, res["skipped"])
				assert.Equal(t, tt.skip, res["reason"])
				assert.Empty(t, e.vod.Submissions())
				return
			}
			assert.EqualValues(t, 1, res["submitted"])
			assert.Len(t, e.vod.Submissions(), 1)
		})
	}
}
