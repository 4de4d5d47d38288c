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

type sharedCfg struct {
	AccessKey string `json:"NCLOUD_ACCESS_KEY"`
}

type lookupCfg struct {
	sharedCfg
	CategoryName string `json:"CATEGORY_NAME"`
	InputPrefix  string `json:"INPUT_PREFIX"`
}

type payload struct {
	Object string `json:"object_name"`
}

// TestUnknownConfigurationWarns: an UPPER_CASE key no field of the
// decoded configuration has is warned about in the result (merged into a
// "warnings" list of strings) and the log line; web answers warn in the
// log only; lower-case and __ow_ keys are never unknown parameters.
func TestUnknownConfigurationWarns(t *testing.T) {
	typo := "unknown parameter INPUT_PREFX: this action does not read it; did you mean INPUT_PREFIX?"
	tests := []struct {
		name       string
		value      string
		result     map[string]any
		want       string // the result line
		logWarning []string
	}{
		{name: "a typo", value: `{"INPUT_PREFX":"uploads/","CATEGORY_NAME":"m","object_name":"a.mp4"}`,
			result: map[string]any{"ok": true}, want: `{"ok":true,"warnings":["` + typo + `"]}`, logWarning: []string{typo}},
		{name: "merged with the handler's warnings", value: `{"INPUT_PREFX":"u/"}`,
			result: map[string]any{"warnings": []string{"a # in the name"}},
			want:   `{"warnings":["a # in the name","` + typo + `"]}`, logWarning: []string{typo}},
		{name: "nothing close", value: `{"COLOUR":"red","NCLOUD_ACCESS_KEY":"ak"}`, result: map[string]any{},
			want:       `{"warnings":["unknown parameter COLOUR: this action does not read it"]}`,
			logWarning: []string{"unknown parameter COLOUR: this action does not read it"}},
		{name: "every key known", value: `{"INPUT_PREFIX":"u/","NCLOUD_ACCESS_KEY":"ak","CATEGORY_NAME":"m"}`,
			result: map[string]any{"ok": true}, want: `{"ok":true}`},
		{name: "lower-case, mixed-case and __ow_ keys are not parameters", value: `{"input_prefx":"u/","Records":[],"__ow_method":"post","__OW_THING":"x","_X":1}`,
			result: map[string]any{"ok": true}, want: `{"ok":true}`},
		{name: "a web answer warns in the log only", value: `{"INPUT_PREFX":"u/"}`,
			result: map[string]any{"statusCode": 200, "headers": map[string]string{}, "body": "ok"},
			want:   `{"body":"ok","headers":{},"statusCode":200}`, logWarning: []string{typo}},
		{name: "warnings that are not a list of strings are left alone", value: `{"INPUT_PREFX":"u/"}`,
			result: map[string]any{"warnings": 3}, want: `{"warnings":3}`, logWarning: []string{typo}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := handler(func(context.Context, lookupCfg, payload) (map[string]any, error) { return tt.result, nil })
			lines, log := serveLines(t, h, `{"value":`+tt.value+`}`)
			require.Len(t, lines, 1)
			assert.JSONEq(t, tt.want, lines[0])
			var entry struct {
				Warnings []string `json:"parameter_warnings"`
			}
			require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(log)), &entry), log)
			assert.Equal(t, tt.logWarning, entry.Warnings)
		})
	}
}

func TestUnknownConfigKeepsTheHandlersKeyOrder(t *testing.T) {
	type res struct {
		Z string `json:"z"`
		A string `json:"a"`
	}
	h := handler(func(context.Context, lookupCfg, payload) (res, error) { return res{Z: "1", A: "2"}, nil })
	lines, _ := serveLines(t, h, `{"value":{"CATEGORY_NAEM":"m"}}`)
	assert.Equal(t, `{"z":"1","a":"2","warnings":["unknown parameter CATEGORY_NAEM: this action does not read it; did you mean CATEGORY_NAME?"]}`, lines[0])
}

func TestUnknownConfigNeedsAConfigDecode(t *testing.T) {
	tests := []struct {
		name   string
		decode func(p *action.Params) error
		want   []string
	}{
		{name: "no DecodeConfig: the edge cannot tell", decode: func(p *action.Params) error { return p.DecodePayload(&payload{}) }},
		{name: "into a map: every key read", decode: func(p *action.Params) error { return p.DecodeConfig(&map[string]any{}) }},
		{name: "two structs: the union is known", decode: func(p *action.Params) error {
			if err := p.DecodeConfig(&sharedCfg{}); err != nil {
				return err
			}
			return p.DecodeConfig(&struct {
				Region string `json:"REGION"`
			}{})
		}, want: []string{"CATEGORY_NAME"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := action.ParseParams([]byte(`{"NCLOUD_ACCESS_KEY":"a","REGION":"KR","CATEGORY_NAME":"m","object_name":"x"}`))
			require.NoError(t, err)
			require.NoError(t, tt.decode(p))
			assert.Equal(t, tt.want, p.UnknownConfig())
		})
	}
}
