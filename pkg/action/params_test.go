package action_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/param"
)

func TestParseParamsSplitsByKey(t *testing.T) {
	p, err := action.ParseParams([]byte(`{"NCLOUD_SECRET_KEY":"s","CATEGORY_NAME":"c","A1_B":1,
		"__ow_method":"post","__ow_body":"{}","Records":[],"object_name":"k","Bucket_Name":"x","_X":1,"9A":2,"":3}`))
	require.NoError(t, err)
	keys := func(m map[string]json.RawMessage) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		return out
	}
	assert.ElementsMatch(t, []string{"NCLOUD_SECRET_KEY", "CATEGORY_NAME", "A1_B"}, keys(p.Config))
	assert.ElementsMatch(t, []string{"__ow_method", "__ow_body"}, keys(p.Web))
	assert.ElementsMatch(t, []string{"Records", "object_name", "Bucket_Name", "_X", "9A", ""}, keys(p.Payload))

	for _, empty := range []string{``, `null`, ` null `} {
		p, err := action.ParseParams([]byte(empty))
		require.NoError(t, err, empty)
		assert.Empty(t, p.Config)
		assert.Empty(t, p.Payload)
	}
	for _, bad := range []string{`[1]`, `"x"`, `7`, `{"a":`} {
		_, err := action.ParseParams([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestIsConfigName(t *testing.T) {
	for name, want := range map[string]bool{
		"NCLOUD_SECRET_KEY": true, "A": true, "API_URL": true, "X9": true,
		"": false, "_A": false, "9A": false, "Api_URL": false, "category_id": false, "A-B": false, "__ow_body": false,
	} {
		assert.Equal(t, want, action.IsConfigName(name), name)
	}
}

type decodeTarget struct {
	Name   string            `json:"NAME"`
	TTL    param.Int         `json:"TTL"`
	Flag   param.Bool        `json:"FLAG"`
	List   param.List        `json:"LIST"`
	Paths  []string          `json:"paths"`
	Meta   map[string]string `json:"meta"`
	Count  int               `json:"count"`
	Nested struct {
		A string `json:"a"`
	} `json:"nested"`
}

func TestDecodeFieldsNamesTheFieldInJSONWords(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"string wanted", `{"NAME":7}`, "invalid parameter NAME: got a number, want a string"},
		{"integer from text", `{"TTL":"abc"}`, `invalid parameter TTL: got non-integer "abc", want an integer`},
		{"integer from object", `{"TTL":{}}`, "invalid parameter TTL: got an object, want an integer"},
		{"bool", `{"FLAG":"maybe"}`, `invalid parameter FLAG: got string "maybe", want true or false`},
		{"list", `{"LIST":5}`, "invalid parameter LIST: got a number, want a list of strings"},
		{"list item", `{"paths":["a",2]}`, "invalid parameter paths: got a list holding a number, want a list of strings"},
		{"list as string", `{"paths":"a"}`, "invalid parameter paths: got a string, want a list of strings"},
		{"object value", `{"meta":{"a":1}}`, "invalid parameter meta: got an object holding a number, want an object"},
		{"object as list", `{"meta":[]}`, "invalid parameter meta: got a list, want an object"},
		{"int", `{"count":1.5}`, "invalid parameter count: got a number, want an integer"},
		{"struct", `{"nested":"x"}`, "invalid parameter nested: got a string, want an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fields map[string]json.RawMessage
			require.NoError(t, json.Unmarshal([]byte(tt.json), &fields))
			var v decodeTarget
			err := action.DecodeFields(fields, &v)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			var ae *action.Error
			require.ErrorAs(t, err, &ae)
			assert.NotEmpty(t, ae.Param)
			assert.Contains(t, tt.json, `"`+ae.Param+`"`)
			for _, goName := range []string{"int64", "[]string", "map[", "struct", "param.", "action_test"} {
				assert.NotContains(t, err.Error(), goName)
			}
		})
	}
}

func TestDecodeFieldsExactNamesOnly(t *testing.T) {
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(`{"name":"lower","Name":"mixed","NAME":"upper","Paths":["no"],"count":3}`), &fields))
	var v decodeTarget
	require.NoError(t, action.DecodeFields(fields, &v))
	assert.Equal(t, "upper", v.Name)
	assert.Nil(t, v.Paths, "Paths is not paths")
	assert.Equal(t, 3, v.Count)

	var m map[string]any
	require.NoError(t, action.DecodeFields(fields, &m))
	assert.Len(t, m, 5)
	assert.Error(t, action.DecodeFields(fields, v), "not a pointer")
}

// DecodeConfig into something that is not a pointer (a handler's slip) is
// an error, not a panic, and leaves UnknownConfig silent.
func TestDecodeConfigIntoANonPointer(t *testing.T) {
	type cfg struct{ A string }
	for name, v := range map[string]any{"nil": nil, "a struct value": cfg{}, "a map value": map[string]any{}} {
		t.Run(name, func(t *testing.T) {
			p, err := action.ParseParams([]byte(`{"A":"x","B":"y"}`))
			require.NoError(t, err)
			assert.Error(t, p.DecodeConfig(v))
			assert.Nil(t, p.UnknownConfig())
		})
	}
}

// handler builds a Handler whose Decode reads config C and payload In.
func handler[C, In, Out any](run func(context.Context, C, In) (Out, error)) action.Handler[C, In, Out] {
	return action.Handler[C, In, Out]{
		Decode: func(p *action.Params) (C, In, error) {
			var c C
			var in In
			if err := p.DecodeConfig(&c); err != nil {
				return c, in, err
			}
			return c, in, p.DecodePayload(&in)
		},
		Run: run,
	}
}

func serveLines[C, In, Out any](t *testing.T, h action.Handler[C, In, Out], lines ...string) ([]string, string) {
	t.Helper()
	var res, logBuf bytes.Buffer
	require.NoError(t, action.Serve(context.Background(), action.Options{
		In: strings.NewReader(strings.Join(lines, "\n") + "\n"), Out: &res, Log: &logBuf,
	}, h))
	return strings.Split(strings.TrimSpace(res.String()), "\n"), logBuf.String()
}

type secretsCfg struct {
	API     string `json:"API_URL"`
	Webhook string `json:"WEBHOOK_URL"`
	Notify  string `json:"NOTIFICATION_URL"`
	Token   string `json:"CALLBACK_TOKEN"`
}

func TestSecretsInsideURLsNeverLeave(t *testing.T) {
	const (
		pass  = "PW-SENTINEL-93f1c2"
		token = "TOKEN-SENTINEL-5d1e"
		sig   = "SIG-SENTINEL-77aa"
	)
	h := handler(func(ctx context.Context, c secretsCfg, _ struct{}) (map[string]any, error) {
		return nil, fmt.Errorf("upstream echoed %s and %s and %s", c.API, c.Webhook, c.Notify)
	})
	line := `{"value":{"API_URL":"http://user:` + pass + `@host:badport","WEBHOOK_URL":"https://hook.example/x?sig=` + sig +
		`","NOTIFICATION_URL":"https://gw.example/cb?token=` + token + `","CALLBACK_TOKEN":"` + token + `"}}`
	results, logText := serveLines(t, h, line)
	for _, out := range []string{results[0], logText} {
		for _, secret := range []string{pass, token, sig} {
			assert.NotContains(t, out, secret[:6], "not even its first 6 characters")
		}
		assert.Contains(t, out, "[redacted]")
	}
}

func TestDeadlineAsStringOrNumber(t *testing.T) {
	var seen []time.Time
	h := action.Simple(func(ctx context.Context, _ struct{}) (map[string]any, error) {
		seen = append(seen, action.ActivationFrom(ctx).PlatformDeadline)
		d, ok := ctx.Deadline()
		if !ok {
			return nil, errors.New("no deadline")
		}
		return map[string]any{"until_ms": time.Until(d).Milliseconds()}, nil
	})
	at := time.Now().Add(time.Hour).UnixMilli()
	results, _ := serveLines(t, h,
		fmt.Sprintf(`{"value":{},"deadline":"%d"}`, at),
		fmt.Sprintf(`{"value":{},"deadline":%d}`, at),
		`{"value":{}}`)
	require.Len(t, results, 3)
	for _, r := range results[:2] {
		assert.NotContains(t, r, "error", r)
	}
	assert.Contains(t, results[2], "no deadline")
	require.Len(t, seen, 3)
	assert.Equal(t, time.UnixMilli(at), seen[0])
	assert.Equal(t, time.UnixMilli(at), seen[1], "a numeric deadline is the same deadline")
	assert.True(t, seen[2].IsZero(), "no deadline carried over from the previous activation")
}

func TestNumericDeadlineIsHonoured(t *testing.T) {
	h := action.Simple(func(ctx context.Context, _ struct{}) (map[string]any, error) {
		<-ctx.Done()
		return nil, fmt.Errorf("wait: %w", ctx.Err())
	})
	results, _ := serveLines(t, h, fmt.Sprintf(`{"value":{},"deadline":%d}`, time.Now().Add(200*time.Millisecond).UnixMilli()))
	assert.Contains(t, results[0], `"code":"timeout"`)
}

func TestOnErrorRunsOnceForDecodeAndRunFailures(t *testing.T) {
	type cfg struct {
		N param.Int `json:"N"`
	}
	var reports []string
	h := handler(func(ctx context.Context, c cfg, _ struct{}) (map[string]any, error) {
		if c.N.Value == 2 {
			return nil, errors.New("run failed")
		}
		return map[string]any{"n": c.N.Value}, nil
	})
	h.OnError = func(ctx context.Context, p *action.Params, err error) {
		reports = append(reports, string(p.Config["N"])+": "+err.Error())
	}
	results, _ := serveLines(t, h, `{"value":{"N":"x"}}`, `{"value":{"N":2}}`, `{"value":{"N":1}}`, `not json`)
	require.Len(t, results, 4)
	assert.Equal(t, []string{`"x": invalid parameter N: got non-integer "x", want an integer`, `2: run failed`}, reports,
		"one report per failed activation; none for a success or a line that is not an activation")
	assert.JSONEq(t, `{"n":1}`, results[2])
}

func TestAnswerTurnsFailuresIntoResults(t *testing.T) {
	h := handler(func(ctx context.Context, _ struct{}, _ struct{}) (map[string]any, error) {
		panic("kaboom")
	})
	h.Answer = func(ctx context.Context, err error) map[string]any {
		return map[string]any{"statusCode": 500, "body": err.Error()}
	}
	results, logText := serveLines(t, h, `{"value":{}}`)
	assert.JSONEq(t, `{"statusCode":500,"body":"internal error: the action panicked (details in the activation log)"}`, results[0])
	assert.Contains(t, logText, `"level":"ERROR"`)
	assert.Contains(t, logText, "kaboom")
}

func TestResultOverOneMegabyteIsAnError(t *testing.T) {
	h := action.Simple(func(ctx context.Context, in struct {
		N int `json:"n"`
	}) (map[string]any, error) {
		return map[string]any{"blob": strings.Repeat("x", in.N)}, nil
	})
	// {"blob":"xx…"} is n+len(`{"blob":""}`) bytes: the second is exactly at the limit.
	results, _ := serveLines(t, h, fmt.Sprintf(`{"value":{"n":%d}}`, action.MaxResultBytes), fmt.Sprintf(`{"value":{"n":%d}}`, action.MaxResultBytes-len(`{"blob":""}`)))
	assert.Contains(t, results[0], `"code":"result_too_large"`)
	assert.Less(t, len(results[0]), 1000)
	assert.NotContains(t, results[1], "error")
	assert.Len(t, results[1], action.MaxResultBytes)
}

// A result must be a JSON object: a handler that returns a list or a
// string gets an error result instead; nothing (nil) is the empty object.
func TestNonObjectResultIsAnError(t *testing.T) {
	tests := []struct {
		name string
		out  any
		want string
	}{
		{"a list", []string{"a", "b"}, `{"error":{"message":"result is not a JSON object","code":"internal","status":500}}`},
		{"a string", "done", `{"error":{"message":"result is not a JSON object","code":"internal","status":500}}`},
		{"a number", 7, `{"error":{"message":"result is not a JSON object","code":"internal","status":500}}`},
		{"nil", nil, `{}`},
		{"an object", map[string]int{"n": 1}, `{"n":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := action.Simple(func(ctx context.Context, _ struct{}) (any, error) { return tt.out, nil })
			results, _ := serveLines(t, h, `{"value":{}}`)
			assert.JSONEq(t, tt.want, results[0])
		})
	}
}

// A deadline of 0 (or none) is no deadline; one given as a number with a
// fraction is read to the millisecond.
func TestDeadlineForms(t *testing.T) {
	probe := action.Simple(func(ctx context.Context, _ struct{}) (map[string]any, error) {
		dl, ok := ctx.Deadline()
		if !ok {
			return map[string]any{"deadline": "none"}, nil
		}
		return map[string]any{"deadline": dl.UnixMilli()}, nil
	})
	later := time.Now().Add(time.Hour).UnixMilli()
	results, _ := serveLines(t, probe, `{"value":{},"deadline":0}`, `{"value":{},"deadline":"0"}`,
		fmt.Sprintf(`{"value":{},"deadline":%d.0}`, later), fmt.Sprintf(`{"value":{},"deadline":"%d"}`, later))
	require.Len(t, results, 4)
	assert.JSONEq(t, `{"deadline":"none"}`, results[0])
	assert.JSONEq(t, `{"deadline":"none"}`, results[1])
	for _, r := range results[2:] {
		var got struct{ Deadline int64 }
		require.NoError(t, json.Unmarshal([]byte(r), &got), r)
		// The handler's deadline is the activation's less the headroom kept for the result.
		assert.InDelta(t, later, got.Deadline, float64(time.Second.Milliseconds()), r)
		assert.LessOrEqual(t, got.Deadline, later, r)
	}
}

// Every secret-named parameter is scrubbed from the result, however many
// other parameters (numbers, lists, plain strings) sit beside it. (The
// parameters are a map, so the secret comes at a random place among them.)
func TestEverySecretParameterIsScrubbed(t *testing.T) {
	h := action.Simple(func(ctx context.Context, _ struct{}) (map[string]any, error) {
		return nil, errors.New("VOD Station said SNTSEC-a1b2c3 and SNTURL-d4e5f6")
	})
	params := map[string]any{"WEBHOOK_SECRET": "SNTSEC-a1b2c3", "NOTIFY_URL": "https://h/cb?token=SNTURL-d4e5f6"}
	for i := range 40 {
		params[fmt.Sprintf("N%02d", i)] = i
		params[fmt.Sprintf("S%02d", i)] = fmt.Sprintf("plain value %d", i)
	}
	line, err := json.Marshal(map[string]any{"value": params})
	require.NoError(t, err)
	results, _ := serveLines(t, h, string(line))
	require.Len(t, results, 1)
	assert.Contains(t, results[0], "VOD Station said [redacted] and [redacted]")
	assert.NotContains(t, results[0], "SNT")
}

// A panic in OnError is logged and swallowed; a hook that returns normally
// leaves no such line.
func TestOnErrorPanicIsLogged(t *testing.T) {
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprintf("panics=%v", panics), func(t *testing.T) {
			h := handler(func(ctx context.Context, _ struct{}, _ struct{}) (map[string]any, error) {
				return nil, errors.New("run failed")
			})
			h.OnError = func(context.Context, *action.Params, error) {
				if panics {
					panic("hook broke")
				}
			}
			results, logText := serveLines(t, h, `{"value":{}}`)
			require.Len(t, results, 1)
			assert.Contains(t, results[0], "run failed")
			assert.Equal(t, panics, strings.Contains(logText, `"on_error_panic":"hook broke"`), logText)
			assert.Equal(t, panics, strings.Contains(logText, "on_error_panic"), logText)
		})
	}
}

// Configuration names are upper-case letters, digits and underscores,
// starting with a letter: each range is checked at both of its ends.
func TestIsConfigNameRanges(t *testing.T) {
	for name, want := range map[string]bool{
		"A": true, "Z": true, "ZONE": true, "AZ": true, "AA": true, "A0": true, "A9": true, "A_": true, "A1_B": true,
		"": false, "a": false, "@": false, "[": false, "9A": false, "_A": false,
		"A@": false, "A[": false, "A/": false, "A:": false, "Aa": false, "A-B": false, "A B": false,
	} {
		assert.Equal(t, want, action.IsConfigName(name), "%q", name)
	}
}
