package upload_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// goTypeWords are pieces of Go type names that must never reach a user.
var goTypeWords = []string{"int64", "[]string", "map[", "struct", "Go value", "Go struct", "upload.", "param.", "signing.", "events.", "config."}

// TestDecodeErrorsNameTheField: a parameter of the wrong kind is refused
// at the edge with an error naming it and saying, in JSON words, what it
// got and what it wants.
func TestDecodeErrorsNameTheField(t *testing.T) {
	_, url := newFake(t, map[string]any{"id": 1, "name": "vod"})
	tests := []struct {
		name   string
		lookup bool // lookup-category, else add-files
		extra  map[string]any
		field  string
		want   []string // fragments of the message
	}{
		{"TTL not a number", true, map[string]any{"CATEGORY_CACHE_TTL": "abc"}, "CATEGORY_CACHE_TTL", []string{"integer", `"abc"`}},
		{"TTL an object", true, map[string]any{"CATEGORY_CACHE_TTL": map[string]any{}}, "CATEGORY_CACHE_TTL", []string{"got an object", "integer"}},
		{"TTL a fraction", true, map[string]any{"CATEGORY_CACHE_TTL": 1.5}, "CATEGORY_CACHE_TTL", []string{"integer"}},
		{"exclude prefixes an object", true, map[string]any{"EXCLUDE_PREFIXES": map[string]any{}}, "EXCLUDE_PREFIXES", []string{"got an object", "list of strings"}},
		{"extensions with a number", true, map[string]any{"EXTENSIONS": []any{"mp4", 1}}, "EXTENSIONS", []string{"list of strings"}},
		{"category id an object", true, map[string]any{"CATEGORY_ID": map[string]any{}}, "CATEGORY_ID", []string{"got an object", "a string"}},
		{"secret a number", true, map[string]any{"NCLOUD_SECRET_KEY": 5}, "NCLOUD_SECRET_KEY", []string{"a string"}},
		{"key decoding a number", true, map[string]any{"KEY_DECODING": 1}, "KEY_DECODING", []string{"a string"}},
		{"paths a string", false, map[string]any{"paths": "x"}, "paths", []string{"got a string", "list of strings"}},
		{"paths with a number", false, map[string]any{"paths": []any{1}}, "paths", []string{"list of strings"}},
		{"paths an object", false, map[string]any{"paths": map[string]any{"a": "b"}}, "paths", []string{"got an object", "list of strings"}},
		{"dedup window an object", false, map[string]any{"DEDUP_WINDOW": map[string]any{}}, "DEDUP_WINDOW", []string{"got an object", "integer"}},
		{"dedup window a word", false, map[string]any{"DEDUP_WINDOW": "ten"}, "DEDUP_WINDOW", []string{"integer"}},
		{"status check a word", false, map[string]any{"DEDUP_CHECK_STATUS": "maybe"}, "DEDUP_CHECK_STATUS", []string{"true or false"}},
		{"versions with a number", false, map[string]any{"versions": map[string]any{"a.mp4": 1}}, "versions", nil},
		{"skipped files with a number", false, map[string]any{"skipped_files": []any{1}}, "skipped_files", nil},
		{"skipped a word", false, map[string]any{"skipped": "yes"}, "skipped", []string{"true or false"}},
		{"category id a list", false, map[string]any{"category_id": []any{}}, "category_id", []string{"got a list", "a string"}},
		{"bucket a list", false, map[string]any{"bucket_name": []any{}}, "bucket_name", []string{"got a list", "a string"}},
		{"warnings a string", false, map[string]any{"warnings": "w"}, "warnings", []string{"list of strings"}},
		{"webhook URL a number", false, map[string]any{"WEBHOOK_URL": 3}, "WEBHOOK_URL", []string{"a string"}},
		{"webhook secret a list", false, map[string]any{"WEBHOOK_URL": "http://example.invalid/hook", "WEBHOOK_SECRET": []any{}}, "WEBHOOK_SECRET", []string{"a string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res map[string]any
			if tt.lookup {
				res = invoke(t, fast().Lookup(), base(url, mergeMaps(map[string]any{"object_name": "a.mp4"}, tt.extra)))
			} else {
				res = invoke(t, fast().AddFiles(), base(url, mergeMaps(map[string]any{"category_id": "3", "file_name": "a.mp4"}, tt.extra)))
			}
			require.Contains(t, res, "error")
			e := res["error"].(map[string]any)
			msg, _ := e["message"].(string)
			assert.Equal(t, "invalid_parameter", e["code"], msg)
			assert.EqualValues(t, 400, e["status"], msg)
			assert.True(t, strings.HasPrefix(msg, "invalid parameter "+tt.field+": "), "names the field: %s", msg)
			for _, w := range tt.want {
				assert.Contains(t, msg, w)
			}
			for _, w := range goTypeWords {
				assert.NotContains(t, msg, w, "no Go type names in %q", msg)
			}
		})
	}
}

// TestFailuresSendSubmitFailed: the edge's OnError hook sends one
// submit_failed naming the bucket and key, whether the activation failed
// decoding its parameters or doing its work.
func TestFailuresSendSubmitFailed(t *testing.T) {
	tests := []struct {
		name     string
		lookup   bool
		extra    map[string]any
		status   []int // add-files answers
		wantCode string
		// The bucket and keys named ("" and nil: uploads, in/a.mp4).
		wantBucket string
		wantKeys   []string
	}{
		{"lookup: decode fails", true, map[string]any{"CATEGORY_CACHE_TTL": "abc", "object_name": "in/a.mp4"}, nil, "invalid_parameter", "", nil},
		{"lookup: validation fails", true, map[string]any{"CATEGORY_NAME": nil, "object_name": "in/a.mp4"}, nil, "missing_parameter", "", nil},
		{"lookup: run fails", true, map[string]any{"CATEGORY_NAME": "nope", "object_name": "in/a.mp4"}, nil, "category_not_found", "", nil},
		{"add-files: decode fails", false, map[string]any{"DEDUP_WINDOW": "abc", "category_id": "3", "file_name": "in/a.mp4"}, nil, "invalid_parameter", "", nil},
		{"add-files: run fails", false, map[string]any{"category_id": "3", "file_name": "in/a.mp4"}, []int{500}, "upstream_error", "", nil},
		{name: "lookup: run fails on an event of several objects", lookup: true, extra: map[string]any{"CATEGORY_NAME": "nope", "Records": []any{
			map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"bucket": map[string]any{"name": "media-in"}, "object": map[string]any{"key": "in/a.mp4"}}},
			map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"bucket": map[string]any{"name": "media-in"}, "object": map[string]any{"key": "in/b.mp4"}}},
		}}, wantCode: "category_not_found", wantBucket: "media-in", wantKeys: []string{"in/a.mp4", "in/b.mp4"}},
		{name: "lookup: decode fails on an event of several objects", lookup: true, extra: map[string]any{"CATEGORY_CACHE_TTL": "abc", "BUCKET_NAME": nil, "Records": []any{
			map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"bucket": map[string]any{"name": "media-in"}, "object": map[string]any{"key": "in/a.mp4"}}},
			map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"object": map[string]any{"key": "in/b.mp4"}}},
		}}, wantCode: "invalid_parameter", wantBucket: "media-in", wantKeys: []string{"in/a.mp4", "in/b.mp4"}},
		{name: "add-files: object_name only, run fails", extra: map[string]any{"category_id": "3", "object_name": "in/a.mp4", "bucket_name": "uploads"}, status: []int{500}, wantCode: "upstream_error"},
		{name: "add-files: object_name only, decode fails", extra: map[string]any{"DEDUP_WINDOW": "abc", "category_id": "3", "object_name": "in/a.mp4", "bucket_name": "uploads"}, wantCode: "invalid_parameter"},
		{name: "add-files: decode fails with paths", extra: map[string]any{"DEDUP_WINDOW": "abc", "category_id": "3", "file_name": "in/a.mp4", "paths": []string{"in/a.mp4", "in/b.mp4"}},
			wantCode: "invalid_parameter", wantKeys: []string{"in/a.mp4", "in/b.mp4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vod, url := newFake(t, map[string]any{"id": 3, "name": "vod"})
			vod.addStatus = tt.status
			r := webhooktest.NewReceiver(cbSecret)
			t.Cleanup(r.Close)
			params := base(url, mergeMaps(map[string]any{"WEBHOOK_URL": r.URL, "WEBHOOK_SECRET": cbSecret}, tt.extra))
			var res map[string]any
			if tt.lookup {
				res = invoke(t, fast().Lookup(), params)
			} else {
				res = invoke(t, fast().AddFiles(), params)
			}
			require.Contains(t, res, "error")
			assert.Equal(t, tt.wantCode, res["error"].(map[string]any)["code"])

			// Sent before the result was written: no waiting.
			require.Len(t, r.Deliveries(), 1)
			failed := r.EventsOf(webhook.TypeSubmitFailed)
			require.Len(t, failed, 1, "one verified submit_failed")
			ev := failed[0]
			wantBucket, wantKeys := tt.wantBucket, tt.wantKeys
			if wantBucket == "" {
				wantBucket = "uploads"
			}
			if wantKeys == nil {
				wantKeys = []string{"in/a.mp4"}
			}
			assert.Equal(t, wantBucket, ev.BucketName)
			assert.Equal(t, wantKeys[0], ev.Key)
			assert.Equal(t, wantKeys, ev.NotSubmitted)
			require.NotNil(t, ev.Error)
			assert.Equal(t, tt.wantCode, ev.Error.Code)
			assert.NotContains(t, string(r.Deliveries()[0].Body), "SK-secret-value")
		})
	}
}

// TestAddFilesRefusesInvalidText: a name whose raw JSON text is not valid
// UTF-8 (an invalid byte, an escaped lone surrogate) is refused, naming the
// field and, in paths, the item: decoded, it would become U+FFFD and
// another object would be submitted.
func TestAddFilesRefusesInvalidText(t *testing.T) {
	vod, url := newFake(t, map[string]any{"id": 1, "name": "vod"})
	tests := []struct {
		name, fields, field string // fields: the JSON members after the credentials
	}{
		{"an invalid byte in the second path", `"file_name":"ok.mp4","paths":["ok.mp4","` + "\xff" + `.mp4"]`, "paths[1]"},
		{"a lone surrogate in the first path", `"file_name":"ok.mp4","paths":["\ud800x.mp4","b.mp4"]`, "paths[0]"},
		{"a lone surrogate in the third path", `"file_name":"ok.mp4","paths":["a.mp4","b.mp4","c\udfff.mp4"]`, "paths[2]"},
		{"an invalid byte in file_name", `"file_name":"` + "\xfe" + `.mp4"`, "file_name"},
		{"a lone surrogate in object_name", `"object_name":"\ud83d.mp4"`, "object_name"},
		{"an invalid byte in bucket_name", `"file_name":"a.mp4","bucket_name":"b` + "\xc3" + `"`, "bucket_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := `{"activation_id":"test","value":{"NCLOUD_ACCESS_KEY":"AK","NCLOUD_SECRET_KEY":"SK-secret-value","API_URL":"` + url +
				`","category_id":"1",` + tt.fields + `}}`
			var res map[string]any
			raw := serveLine(t, fast().AddFiles(), []byte(line))
			require.NoError(t, json.Unmarshal(raw, &res), string(raw))
			require.Contains(t, res, "error")
			e := res["error"].(map[string]any)
			assert.Equal(t, "invalid_parameter", e["code"])
			assert.Contains(t, e["message"], "invalid parameter "+tt.field+": not valid UTF-8")
		})
	}
	// The same names, valid, are submitted: the check refuses only what it should.
	res := invoke(t, fast().AddFiles(), base(url, map[string]any{"category_id": "1", "file_name": "a.mp4", "paths": []string{"a.mp4", "é\U0001F600.mp4"}}))
	require.NotContains(t, res, "error")
	assert.Len(t, vod.adds, 1)
}

// TestFailureReportNeedsAValidWebhook: when the webhook parameters
// themselves are invalid, the activation's error says so and no
// submit_failed is sent (it could not be signed as configured).
func TestFailureReportNeedsAValidWebhook(t *testing.T) {
	_, url := newFake(t, map[string]any{"id": 3, "name": "vod"})
	r := webhooktest.NewReceiver(cbSecret)
	t.Cleanup(r.Close)
	for name, h := range map[string]func(map[string]any) map[string]any{
		"lookup-category": func(p map[string]any) map[string]any { return invoke(t, fast().Lookup(), p) },
		"add-files":       func(p map[string]any) map[string]any { return invoke(t, fast().AddFiles(), p) },
	} {
		res := h(base(url, map[string]any{"WEBHOOK_URL": r.URL, "WEBHOOK_SECRET": []any{cbSecret}, "category_id": "3", "object_name": "in/a.mp4"}))
		require.Contains(t, res, "error", name)
		assert.Contains(t, res["error"].(map[string]any)["message"], "WEBHOOK_SECRET", name)
	}
	assert.Empty(t, r.Deliveries())
}
