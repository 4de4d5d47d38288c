package action_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
)

// TestLogLineFloatsThatJSONCannotHold: an infinite or NaN float is logged
// as a string (JSON has no such number), a finite one as a number, and the
// line stays valid JSON.
func TestLogLineFloatsThatJSONCannotHold(t *testing.T) {
	h := action.Simple(func(ctx context.Context, _ struct{}) (map[string]any, error) {
		action.LogAttrs(ctx, action.Float64("pinf", math.Inf(1)), action.Float64("ninf", math.Inf(-1)),
			action.Float64("nan", math.NaN()), action.Float64("big", math.MaxFloat64))
		return map[string]any{}, nil
	})
	_, logText := serveLines(t, h, `{"value":{}}`)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(logText), &m), logText)
	assert.Equal(t, "+Inf", m["pinf"])
	assert.Equal(t, "-Inf", m["ninf"])
	assert.Equal(t, "NaN", m["nan"])
	assert.Equal(t, math.MaxFloat64, m["big"])
}

// TestLogLineLoneContinuationByte: the byte 0x80 (the first that is not
// ASCII) alone is not UTF-8 and is logged as U+FFFD, as encoding/json does.
func TestLogLineLoneContinuationByte(t *testing.T) {
	h := action.Simple(func(ctx context.Context, _ struct{}) (map[string]any, error) {
		action.LogAttrs(ctx, action.String("s", "a\x80b"))
		return map[string]any{}, nil
	})
	_, logText := serveLines(t, h, `{"value":{}}`)
	assert.Contains(t, logText, `"s":"a\ufffdb"`)
}

// TestLogLineKeepsEscapingAfterASubstitute: after invalid UTF-8 (U+FFFD) or
// a line separator (\u2028), the rest of the string is still escaped, and a
// valid U+FFFD in the input is written as it is, as encoding/json does.
func TestLogLineKeepsEscapingAfterASubstitute(t *testing.T) {
	for _, s := range []string{"bad \xff then \"q\"\n", "sep \u2028 then \"q\"\\", "kept \uFFFD as is"} {
		h := action.Simple(func(ctx context.Context, _ struct{}) (map[string]any, error) {
			action.LogAttrs(ctx, action.String("s", s))
			return map[string]any{}, nil
		})
		_, logText := serveLines(t, h, `{"value":{}}`)
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(logText), &m), "%q: %s", s, logText)
		assert.Equal(t, strings.ToValidUTF8(s, "\uFFFD"), m["s"], "%q", s)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(s))
		assert.Contains(t, logText, `"s":`+strings.TrimSpace(want.String()), "written as encoding/json writes it")
	}
}
