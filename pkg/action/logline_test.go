package action_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
)

func TestLogLineIsOneJSONObject(t *testing.T) {
	const secret = `Sk"<&>\q91`
	h := action.Simple(func(ctx context.Context, in struct {
		Mode string `json:"mode"`
	}) (map[string]any, error) {
		action.LogAttrs(ctx,
			action.String("k", "a \"quoted\" line\nwith <html> & "+secret),
			action.Int("n", 7), action.Bool("b", true), action.Float64("f", 1.5),
			action.Any("list", []string{"x", "y"}), action.Any("bad", math.Inf(1)),
			action.Group("g", action.String("inner", "v"), action.Group("deeper", action.Int("z", 1))))
		if in.Mode == "fail" {
			return nil, errors.New("failed with " + secret)
		}
		return map[string]any{}, nil
	})
	_, logText := serveLines(t, h,
		`{"value":{"mode":"ok","WEBHOOK_SECRET":"Sk\"<&>\\q91"},"activation_id":"a1"}`,
		`{"value":{"mode":"fail","WEBHOOK_SECRET":"Sk\"<&>\\q91"},"activation_id":"a2"}`)
	lines := strings.Split(strings.TrimSpace(logText), "\n")
	require.Len(t, lines, 2, "one line per activation")
	for i, line := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		assert.True(t, strings.HasPrefix(line, `{"time":"`), "time first, as log/slog writes it")
		assert.Equal(t, []string{"INFO", "ERROR"}[i], m["level"])
		assert.Equal(t, []string{"a1", "a2"}[i], m["activation_id"])
		assert.EqualValues(t, 7, m["n"])
		assert.Equal(t, true, m["b"])
		assert.Equal(t, 1.5, m["f"])
		assert.Equal(t, []any{"x", "y"}, m["list"])
		assert.Contains(t, m["bad"], "!unencodable")
		assert.Equal(t, map[string]any{"inner": "v", "deeper": map[string]any{"z": float64(1)}}, m["g"])
		assert.Contains(t, m["k"], "[redacted]")
		assert.NotContains(t, line, `Sk\"`, "the JSON-escaped secret is scrubbed too")
		assert.NotContains(t, line, "q91")
	}
	assert.Contains(t, lines[1], `"msg":"activation failed"`)
	assert.Contains(t, lines[1], `"error":"failed with [redacted]"`)
}

func TestLogLineStringsEncodeAsEncodingJSONDoes(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "tab\tnl\ncr\r", "\x00\x01\x1f", "한글 ok", "bad \xff byte", "sep \u2028 \u2029", "<&>"} {
		h := action.Simple(func(ctx context.Context, _ struct{}) (map[string]any, error) {
			action.LogAttrs(ctx, action.String("s", s))
			return map[string]any{}, nil
		})
		_, logText := serveLines(t, h, `{"value":{}}`)
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(logText), &m), "%q: %s", s, logText)
		want := strings.ToValidUTF8(s, "\uFFFD")
		assert.Equal(t, want, m["s"], "%q", s)
	}
}
