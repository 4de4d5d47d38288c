package manifest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/manifest"
)

func TestSuggest(t *testing.T) {
	names := []string{"CATEGORY_NAME", "CATEGORY_ID", "BUCKET_NAME", "add-files", "build"}
	tests := []struct {
		name, in, want string
	}{
		{name: "one letter more", in: "CATEGORY_NAMES", want: "CATEGORY_NAME"},
		{name: "case differs", in: "category_id", want: "CATEGORY_ID"},
		{name: "one letter less", in: "add-file", want: "add-files"},
		{name: "a typo", in: "bild", want: "build"},
		{name: "nothing close", in: "REGION", want: ""},
		{name: "the name itself is no suggestion", in: "build", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, manifest.Suggest(tt.in, names))
		})
	}
}

func TestParseErrorsSayKindsNotYAMLTagsOrGoTypes(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "a string for a number", in: "packages:\n  p:\n    actions:\n      a:\n        limits:\n          timeout: soon\n", want: "got a string (soon), want a number"},
		{name: "a list for a string", in: "packages:\n  p:\n    actions:\n      a:\n        runtime: [1]\n", want: "got a list, want a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := manifest.Parse([]byte(tt.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "!!")
		})
	}
}

func TestBindings(t *testing.T) {
	f, err := manifest.Parse([]byte("packages:\n  p:\n    inputs:\n      A: $A\n      LIT: x\n    actions:\n      act:\n        function: f.zip\n        runtime: go:1.19\n        inputs:\n          B: ${B}\n    triggers:\n      t:\n        inputs:\n          C: $C\n"))
	require.NoError(t, err)
	assert.Equal(t, []manifest.Binding{{Section: "package", Input: "A", Var: "A"}, {Section: "actions.act", Input: "B", Var: "B"},
		{Section: "trigger", Input: "C", Var: "C"}}, f.Bindings())
}
