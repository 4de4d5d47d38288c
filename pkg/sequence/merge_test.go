package sequence

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMerge(t *testing.T) {
	tests := []struct {
		name   string
		layers []map[string]any
		want   map[string]any
	}{
		{name: "no layers", layers: nil, want: map[string]any{}},
		{name: "nil layers skipped", layers: []map[string]any{nil, {"a": 1}, nil}, want: map[string]any{"a": 1}},
		{
			name:   "later layer wins",
			layers: []map[string]any{{"a": 1, "b": 1}, {"b": 2, "c": 2}, {"c": 3}},
			want:   map[string]any{"a": 1, "b": 2, "c": 3},
		},
		{
			name:   "shallow override replaces nested objects",
			layers: []map[string]any{{"o": map[string]any{"x": 1, "y": 1}}, {"o": map[string]any{"y": 2}}},
			want:   map[string]any{"o": map[string]any{"y": 2}},
		},
		{
			name:   "nil value overrides",
			layers: []map[string]any{{"a": 1}, {"a": nil}},
			want:   map[string]any{"a": nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge(tt.layers...)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMergeDoesNotModifyLayers(t *testing.T) {
	a := map[string]any{"k": "a", "only-a": true}
	b := map[string]any{"k": "b"}
	got := Merge(a, b)
	got["new"] = 1

	assert.Equal(t, map[string]any{"k": "a", "only-a": true}, a)
	assert.Equal(t, map[string]any{"k": "b"}, b)
	assert.Equal(t, map[string]any{"k": "b", "only-a": true, "new": 1}, got)
}
