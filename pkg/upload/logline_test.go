package upload_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lookupLogged runs lookup-category on params through the action loop and
// returns its result and its activation log line.
func lookupLogged(t *testing.T, params map[string]any) (map[string]any, string) {
	t.Helper()
	line, err := json.Marshal(map[string]any{"value": params, "activation_id": "test"})
	require.NoError(t, err)
	var log strings.Builder
	raw := serveLineLog(t, fast().Lookup(), line, &log)
	var res map[string]any
	require.NoError(t, json.Unmarshal(raw, &res))
	return res, log.String()
}

// TestLookupLogLine: the activation's log line says how many HEADs were
// sent and what was warned, and only when there was any: an operator
// reading the logs sees the same as the result says.
func TestLookupLogLine(t *testing.T) {
	_, url := newFake(t, map[string]any{"id": 11, "name": "vod"})
	st := &fakeStorage{etags: map[string]string{"uploads/in/a.mp4": "v1", "uploads/in/b.mp4": "v2"}}
	srv := httptest.NewServer(st)
	t.Cleanup(srv.Close)
	rec := func(key, etag string) any {
		obj := map[string]any{"key": key}
		if etag != "" {
			obj["eTag"] = etag
		}
		return map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"object": obj}}
	}
	tests := []struct {
		name   string
		params map[string]any
		heads  string // the heads attribute, "" for none
		warned bool
	}{
		{"two HEADs", map[string]any{"OBJECT_STORAGE_ENDPOINT": srv.URL, "Records": []any{rec("in/a.mp4", ""), rec("in/b.mp4", "")}}, `"heads":2`, false},
		{"ETags given: no HEAD", map[string]any{"OBJECT_STORAGE_ENDPOINT": srv.URL, "Records": []any{rec("in/a.mp4", "e1"), rec("in/b.mp4", "e2")}}, "", false},
		{"no storage", map[string]any{"object_name": "in/a.mp4"}, "", false},
		{"a warning", map[string]any{"object_name": "in/take#1.mp4"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, log := lookupLogged(t, base(url, mergeMaps(map[string]any{"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK}, tt.params)))
			require.NotContains(t, res, "error")
			require.Contains(t, log, `"category_id":"11"`, "the log line is there: %s", log)
			if tt.heads != "" {
				assert.Contains(t, log, tt.heads)
			} else {
				assert.NotContains(t, log, `"heads"`)
			}
			if tt.warned {
				assert.Contains(t, log, `"warnings":["file name in/take#1.mp4 contains #`)
			} else {
				assert.NotContains(t, log, `"warnings"`)
			}
		})
	}
}
