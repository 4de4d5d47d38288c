package action_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
)

// TestWarningsUpToTheResultLimit: the unknown-parameter warnings are added
// to a result they bring exactly to MaxResultBytes, and left out (the
// result kept as the handler made it) when they would bring it one byte
// over; both with and without a "warnings" list of the handler's.
func TestWarningsUpToTheResultLimit(t *testing.T) {
	warning := "unknown parameter COLOUR: this action does not read it"
	list, err := json.Marshal([]string{warning})
	require.NoError(t, err)
	tests := []struct {
		name string
		// make returns the handler's result with a pad of n bytes, and the
		// length of that result once the warning is added.
		make func(n int) (map[string]any, int)
	}{
		{name: "no warnings of the handler's", make: func(n int) (map[string]any, int) {
			return map[string]any{"pad": strings.Repeat("x", n)}, len(`{"pad":"","warnings":}`) + n + len(list)
		}},
		{name: "merged with the handler's", make: func(n int) (map[string]any, int) {
			// Merged results are re-encoded with their keys sorted.
			return map[string]any{"pad": strings.Repeat("x", n), "warnings": []string{"mine"}},
				len(`{"pad":"","warnings":["mine",]}`) + n + len(`"`+warning+`"`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, size := tt.make(0)
			atLimit := action.MaxResultBytes - size
			for _, c := range []struct {
				pad  int
				kept bool
			}{{atLimit, true}, {atLimit + 1, false}} {
				res, _ := tt.make(c.pad)
				h := handler(func(context.Context, lookupCfg, payload) (map[string]any, error) { return res, nil })
				lines, log := serveLines(t, h, `{"value":{"COLOUR":"red"}}`)
				require.Len(t, lines, 1)
				assert.NotContains(t, lines[0][:min(len(lines[0]), 100)], `"error"`)
				if c.kept {
					assert.Len(t, lines[0], action.MaxResultBytes)
					assert.True(t, strings.HasSuffix(lines[0], `"`+warning+`"]}`), "%s", lines[0][len(lines[0])-100:])
				} else {
					want, err := json.Marshal(res)
					require.NoError(t, err)
					assert.Equal(t, string(want), lines[0], "the result as the handler made it")
				}
				assert.Contains(t, log, warning, "the log line carries the warning either way")
			}
		})
	}
}
