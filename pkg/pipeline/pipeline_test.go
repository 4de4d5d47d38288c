package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/pipeline"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// fakeVOD is a minimal VOD Station: categories by page, add-files recorded.
type fakeVOD struct {
	mu         sync.Mutex
	categories []map[string]any
	lists      int
	adds       []map[string]any
	addStatus  []int // statuses to answer add-files with, in turn (0 = success)
	nextID     int
}

func (f *fakeVOD) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == "GET" && r.URL.Path == "/api/v2/category":
		f.lists++
		page, _ := strconv.Atoi(r.URL.Query().Get("pageNo"))
		size, _ := strconv.Atoi(r.URL.Query().Get("pageSizeNo"))
		lo, hi := min((page-1)*size, len(f.categories)), min(page*size, len(f.categories))
		json.NewEncoder(w).Encode(map[string]any{"content": f.categories[lo:hi], "total": len(f.categories)})
	case r.Method == "PUT" && strings.HasSuffix(r.URL.Path, "/add-files"):
		var body map[string]any
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &body)
		body["_path"] = r.URL.Path
		f.adds = append(f.adds, body)
		if n := len(f.adds) - 1; n < len(f.addStatus) && f.addStatus[n] != 0 {
			w.WriteHeader(f.addStatus[n])
			fmt.Fprintf(w, `{"error":{"errorCode":"%d","message":"injected"}}`, f.addStatus[n])
			return
		}
		var content []map[string]any
		for _, p := range body["pathList"].([]any) {
			f.nextID++
			content = append(content, map[string]any{"id": f.nextID, "filePath": p})
		}
		json.NewEncoder(w).Encode(map[string]any{"content": content})
	default:
		http.NotFound(w, r)
	}
}

func newFake(t testing.TB, categories ...map[string]any) (*fakeVOD, string) {
	f := &fakeVOD{categories: categories, nextID: 1000}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

// invoke runs h on params through the real actionloop plumbing.
func invoke[In, Out any](t *testing.T, h action.Handler[In, Out], params map[string]any) map[string]any {
	t.Helper()
	line, err := json.Marshal(map[string]any{"value": params, "activation_id": "test"})
	require.NoError(t, err)
	var out strings.Builder
	require.NoError(t, action.Serve(context.Background(), action.Options{In: strings.NewReader(string(line) + "\n"), Out: &out}, h))
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out.String()), &res), out.String())
	return res
}

func base(url string, extra map[string]any) map[string]any {
	p := map[string]any{"NCLOUD_ACCESS_KEY": "AK", "NCLOUD_SECRET_KEY": "SK-secret-value", "API_URL": url,
		"CATEGORY_NAME": "vod", "BUCKET_NAME": "uploads"}
	for k, v := range extra {
		if v == nil {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	return p
}

func fastPipeline(opts ...pipeline.Option) *pipeline.Pipeline {
	opts = append(opts, pipeline.WithClientOptions(vodstation.WithRetry(vodstation.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})))
	return pipeline.New(opts...)
}

func TestLookupFilters(t *testing.T) {
	vod, url := newFake(t, map[string]any{"id": 11, "name": "vod"})
	tests := []struct {
		name       string
		params     map[string]any
		wantSkip   string // "" = submitted
		wantKey    string
		wantWarned bool
	}{
		{"mp4", map[string]any{"object_name": "in/a.mp4"}, "", "in/a.mp4", false},
		{"uppercase extension", map[string]any{"object_name": "in/A.MOV"}, "", "in/A.MOV", false},
		{"every default extension", map[string]any{"object_name": "x.Mxf"}, "", "x.Mxf", false},
		{"text file", map[string]any{"object_name": "notes.txt"}, pipeline.ReasonUnsupportedExtension, "notes.txt", false},
		{"no extension", map[string]any{"object_name": "in/video"}, pipeline.ReasonUnsupportedExtension, "in/video", false},
		{"folder marker", map[string]any{"object_name": "in/folder/"}, pipeline.ReasonFolderMarker, "in/folder/", false},
		{"empty key", map[string]any{"object_name": " "}, pipeline.ReasonEmptyKey, " ", false},
		{"outside input prefix", map[string]any{"object_name": "other/a.mp4", "INPUT_PREFIX": "in/"}, pipeline.ReasonOutsideInputPrefix, "other/a.mp4", false},
		{"inside input prefix", map[string]any{"object_name": "in/a.mp4", "INPUT_PREFIX": "in/"}, "", "in/a.mp4", false},
		{"excluded prefix", map[string]any{"object_name": "out/a.mp4", "EXCLUDE_PREFIXES": "encoded/, out/"}, pipeline.ReasonExcludedPrefix, "out/a.mp4", false},
		{"extension override", map[string]any{"object_name": "a.mp4", "EXTENSIONS": []string{"mkv"}}, pipeline.ReasonUnsupportedExtension, "a.mp4", false},
		{"extension override with dots", map[string]any{"object_name": "a.TS", "EXTENSIONS": ".ts,.mp4"}, "", "a.TS", false},
		{"unplayable name still submitted", map[string]any{"object_name": "in/take#1.mp4"}, "", "in/take#1.mp4", true},
		{"delete event", map[string]any{"object_name": "a.mp4", "event_type": "ObjectRemoved:Delete"}, pipeline.ReasonNotCreated, "a.mp4", false},
		{"encoded korean decoded once", map[string]any{"object_name": "in/%ED%95%9C%EA%B8%80.mp4"}, "", "in/한글.mp4", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := invoke(t, fastPipeline().LookupCategory, base(url, tt.params))
			require.NotContains(t, res, "error")
			assert.Equal(t, tt.wantKey, res["file_name"])
			assert.Equal(t, "uploads", res["bucket_name"])
			if tt.wantSkip != "" {
				assert.Equal(t, true, res["skipped"])
				assert.Equal(t, tt.wantSkip, res["reason"])
				assert.NotContains(t, res, "category_id", "no lookup for a skipped upload")
			} else {
				assert.NotContains(t, res, "skipped")
				assert.Equal(t, "11", res["category_id"])
				assert.Equal(t, "vod", res["category_name"])
			}
			assert.Equal(t, tt.wantWarned, res["warnings"] != nil)
		})
	}
	assert.Equal(t, 0, len(vod.adds))
}

func TestLookupSkipMakesNoCall(t *testing.T) {
	vod, url := newFake(t, map[string]any{"id": 11, "name": "vod"})
	res := invoke(t, fastPipeline().LookupCategory, base(url, map[string]any{"object_name": "notes.txt"}))
	assert.Equal(t, true, res["skipped"])
	assert.Equal(t, 0, vod.lists)
}

func TestLookupCache(t *testing.T) {
	var cats []map[string]any
	for i := 1; i <= 60; i++ {
		cats = append(cats, map[string]any{"id": i, "name": fmt.Sprintf("cat-%d", i)})
	}
	vod, url := newFake(t, cats...)
	now := time.Unix(1700000000, 0)
	p := fastPipeline(pipeline.WithClock(func() time.Time { return now }))
	params := base(url, map[string]any{"CATEGORY_NAME": "cat-45", "object_name": "a.mp4"})

	res := invoke(t, p.LookupCategory, params)
	assert.Equal(t, "45", res["category_id"])
	assert.Equal(t, 3, vod.lists, "page 3 holds cat-45")

	res = invoke(t, p.LookupCategory, params)
	assert.Equal(t, "45", res["category_id"])
	assert.Equal(t, 3, vod.lists, "warm: no second listing")

	other := base(url, map[string]any{"CATEGORY_NAME": "cat-2", "object_name": "a.mp4"})
	invoke(t, p.LookupCategory, other)
	assert.Equal(t, 4, vod.lists, "another name is another cache entry")

	now = now.Add(301 * time.Second)
	invoke(t, p.LookupCategory, params)
	assert.Equal(t, 7, vod.lists, "expired after the default 300 s")

	noCache := base(url, map[string]any{"CATEGORY_NAME": "cat-2", "object_name": "a.mp4", "CATEGORY_CACHE_TTL": "0"})
	invoke(t, pipeline.New().LookupCategory, noCache)
	invoke(t, pipeline.New().LookupCategory, noCache)
	assert.Equal(t, 9, vod.lists, "TTL 0 disables the cache")
}

func TestLookupCategoryIDSkipsLookup(t *testing.T) {
	vod, url := newFake(t)
	res := invoke(t, fastPipeline().LookupCategory, base(url, map[string]any{"CATEGORY_NAME": nil, "CATEGORY_ID": 987, "object_name": "a.mp4"}))
	assert.Equal(t, "987", res["category_id"])
	assert.Equal(t, 0, vod.lists)
}

func TestLookupSkipsCategoryOutput(t *testing.T) {
	_, url := newFake(t, map[string]any{"id": 5, "name": "vod", "output": map[string]any{"bucketName": "uploads", "filePath": "/encoded"}})
	res := invoke(t, fastPipeline().LookupCategory, base(url, map[string]any{"object_name": "encoded/vod/a_AVC_HD_1Pass_30fps.mp4"}))
	assert.Equal(t, true, res["skipped"])
	assert.Equal(t, pipeline.ReasonCategoryOutput, res["reason"])

	res = invoke(t, fastPipeline().LookupCategory, base(url, map[string]any{"object_name": "encoded/vod/a.mp4", "bucket_name": "other-bucket"}))
	assert.NotContains(t, res, "skipped", "another bucket is not the output")
}

func TestLookupMultipleRecords(t *testing.T) {
	_, url := newFake(t, map[string]any{"id": 5, "name": "vod"})
	params := base(url, map[string]any{"Records": []any{
		map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"bucket": map[string]any{"name": "up"}, "object": map[string]any{"key": "a.mp4"}}},
		map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"bucket": map[string]any{"name": "up"}, "object": map[string]any{"key": "b+c.txt"}}},
		map[string]any{"eventName": "ObjectCreated:CompleteMultipartUpload", "s3": map[string]any{"bucket": map[string]any{"name": "up"}, "object": map[string]any{"key": "d+e.mkv"}}},
	}})
	res := invoke(t, fastPipeline().LookupCategory, params)
	assert.Equal(t, "up", res["bucket_name"], "the event's bucket wins over BUCKET_NAME")
	assert.Equal(t, []any{"a.mp4", "d e.mkv"}, res["paths"])
	assert.Equal(t, []any{map[string]any{"path": "b c.txt", "reason": "unsupported_extension"}}, res["skipped_files"])
}

func TestLookupErrors(t *testing.T) {
	_, url := newFake(t, map[string]any{"id": 1, "name": "vod"})
	tests := []struct {
		name     string
		params   map[string]any
		wantCode string
		wantMsg  string
	}{
		{"missing secret", base(url, map[string]any{"NCLOUD_SECRET_KEY": nil, "object_name": "a.mp4"}), "missing_parameter", "missing parameter NCLOUD_SECRET_KEY"},
		{"missing access key", base(url, map[string]any{"NCLOUD_ACCESS_KEY": "", "object_name": "a.mp4"}), "missing_parameter", "missing parameter NCLOUD_ACCESS_KEY"},
		{"missing category", base(url, map[string]any{"CATEGORY_NAME": nil, "object_name": "a.mp4"}), "missing_parameter", "missing parameter CATEGORY_NAME (or CATEGORY_ID)"},
		{"unknown category", base(url, map[string]any{"CATEGORY_NAME": "nope", "object_name": "a.mp4"}), "category_not_found", `CATEGORY_NAME: no enabled VOD Station category is named "nope"`},
		{"no object", base(url, nil), "missing_parameter", "missing parameter object_name"},
		{"non-string object_name", base(url, map[string]any{"object_name": 12}), "invalid_parameter", "invalid parameter object_name: got number, want a string"},
		{"no bucket anywhere", base(url, map[string]any{"BUCKET_NAME": nil, "object_name": "a.mp4"}), "missing_parameter", "missing parameter BUCKET_NAME"},
		{"bad API_URL", base("vodstation.example", map[string]any{"object_name": "a.mp4"}), "invalid_parameter", "invalid parameter API_URL"},
		{"bad TTL", base(url, map[string]any{"CATEGORY_CACHE_TTL": "-5", "object_name": "a.mp4"}), "invalid_parameter", "invalid parameter CATEGORY_CACHE_TTL"},
		{"bad key decoding", base(url, map[string]any{"KEY_DECODING": "rot13", "object_name": "a.mp4"}), "invalid_parameter", "invalid parameter KEY_DECODING"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := invoke(t, fastPipeline().LookupCategory, tt.params)
			require.Contains(t, res, "error")
			e := res["error"].(map[string]any)
			assert.Equal(t, tt.wantCode, e["code"])
			assert.Contains(t, e["message"], tt.wantMsg)
			raw, _ := json.Marshal(res)
			assert.NotContains(t, string(raw), "SK-secret-value")
		})
	}
}

func TestContractRoundTrip(t *testing.T) {
	vod, url := newFake(t, map[string]any{"id": 77, "name": "vod"})
	lookup := invoke(t, fastPipeline().LookupCategory, base(url, map[string]any{"object_name": "in/take#1.mp4"}))
	raw, err := json.Marshal(lookup)
	require.NoError(t, err)

	// Action 1's result, decoded as action 2's input, is the same Submission.
	var in pipeline.AddFilesInput
	require.NoError(t, json.Unmarshal(raw, &in))
	require.Len(t, in.Warnings, 1)
	assert.Equal(t, pipeline.Submission{
		CategoryID: "77", CategoryName: "vod", BucketName: "uploads", FileName: "in/take#1.mp4",
		Warnings: in.Warnings,
	}, in.Submission)
	again, err := json.Marshal(in.Submission)
	require.NoError(t, err)
	assert.JSONEq(t, string(raw), string(again))

	// And action 2 acts on it: result merged over add-files' own defaults.
	params := map[string]any{}
	json.Unmarshal(raw, &params)
	for k, v := range base(url, map[string]any{"CATEGORY_NAME": nil, "BUCKET_NAME": nil}) {
		params[k] = v
	}
	res := invoke(t, fastPipeline().AddFiles, params)
	require.NotContains(t, res, "error")
	assert.EqualValues(t, 1, res["submitted"])
	assert.Equal(t, []any{map[string]any{"path": "in/take#1.mp4", "file_id": "1001"}}, res["files"])
	require.Len(t, vod.adds, 1)
	assert.Equal(t, "/api/v2/category/77/add-files", vod.adds[0]["_path"])
	assert.Equal(t, "uploads", vod.adds[0]["bucketName"])
	assert.Equal(t, []any{"in/take#1.mp4"}, vod.adds[0]["pathList"])
}

func TestAddFilesSkippedInputUnchanged(t *testing.T) {
	vod, url := newFake(t)
	in := map[string]any{"skipped": true, "reason": "unsupported_extension", "file_name": "notes.txt", "bucket_name": "uploads"}
	params := base(url, nil)
	for k, v := range in {
		params[k] = v
	}
	res := invoke(t, fastPipeline().AddFiles, params)
	assert.Equal(t, in, res)
	assert.Empty(t, vod.adds)
}

func TestAddFilesManualInvoke(t *testing.T) {
	tests := []struct {
		name      string
		params    map[string]any
		wantPaths []any
		wantField string
	}{
		{"object_name", map[string]any{"category_id": 9, "bucket_name": "b", "object_name": "x.mp4"}, []any{"x.mp4"}, ""},
		{"file_name and BUCKET_NAME", map[string]any{"category_id": "9", "BUCKET_NAME": "b", "file_name": "y.mp4"}, []any{"y.mp4"}, ""},
		{"paths", map[string]any{"category_id": "9", "bucket_name": "b", "paths": []string{"a.mp4", "b.mp4"}}, []any{"a.mp4", "b.mp4"}, ""},
		{"notification URL", map[string]any{"category_id": "9", "bucket_name": "b", "object_name": "x.mp4", "NOTIFICATION_URL": "https://cb/t"}, []any{"x.mp4"}, "notificationUrl"},
		{"notification field", map[string]any{"category_id": "9", "bucket_name": "b", "object_name": "x.mp4", "NOTIFICATION_URL": "https://cb/t", "NOTIFICATION_FIELD": "notification"}, []any{"x.mp4"}, "notification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vod, url := newFake(t)
			params := base(url, map[string]any{"CATEGORY_NAME": nil, "BUCKET_NAME": nil})
			for k, v := range tt.params {
				params[k] = v
			}
			res := invoke(t, fastPipeline().AddFiles, params)
			require.NotContains(t, res, "error")
			require.Len(t, vod.adds, 1)
			assert.Equal(t, tt.wantPaths, vod.adds[0]["pathList"])
			assert.Equal(t, "/api/v2/category/9/add-files", vod.adds[0]["_path"])
			if tt.wantField != "" {
				assert.Equal(t, "https://cb/t", vod.adds[0][tt.wantField])
			} else {
				assert.NotContains(t, vod.adds[0], "notificationUrl")
				assert.NotContains(t, vod.adds[0], "notification")
			}
			assert.EqualValues(t, len(tt.wantPaths), res["submitted"])
		})
	}
}

func manyPaths(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("in/%04d.mp4", i)
	}
	return out
}

func TestAddFilesBatches(t *testing.T) {
	vod, url := newFake(t)
	params := base(url, map[string]any{"category_id": "3", "paths": manyPaths(250)})
	res := invoke(t, fastPipeline().AddFiles, params)
	require.NotContains(t, res, "error")
	assert.EqualValues(t, 250, res["submitted"])
	require.Len(t, vod.adds, 3)
	assert.Len(t, vod.adds[0]["pathList"], 100)
	assert.Len(t, vod.adds[1]["pathList"], 100)
	assert.Len(t, vod.adds[2]["pathList"], 50)
}

func TestAddFilesPartialFailureSaysWhatWasSubmitted(t *testing.T) {
	vod, url := newFake(t)
	vod.addStatus = []int{0, 500}
	res := invoke(t, fastPipeline().AddFiles, base(url, map[string]any{"category_id": "3", "paths": manyPaths(250)}))
	require.Contains(t, res, "error")
	e := res["error"].(map[string]any)
	assert.Equal(t, "upstream_error", e["code"])
	assert.Contains(t, e["message"], "100 files were submitted before the failure, 150 were not")
	d := e["details"].(map[string]any)
	assert.Len(t, d["submitted"], 100)
	assert.Len(t, d["not_submitted"], 150)
	assert.EqualValues(t, 500, d["http_status"])
	assert.Len(t, vod.adds, 2, "a 500 on add-files is never retried")
}

func TestAddFilesErrors(t *testing.T) {
	_, url := newFake(t)
	tests := []struct {
		name     string
		params   map[string]any
		wantCode string
		wantMsg  string
	}{
		{"no category", map[string]any{"bucket_name": "b", "object_name": "a.mp4"}, "missing_parameter", "missing parameter category_id"},
		{"no bucket", map[string]any{"category_id": "1", "object_name": "a.mp4", "BUCKET_NAME": nil}, "missing_parameter", "missing parameter bucket_name"},
		{"no file", map[string]any{"category_id": "1", "bucket_name": "b"}, "missing_parameter", "missing parameter file_name"},
		{"too many paths", map[string]any{"category_id": "1", "paths": manyPaths(10001)}, "invalid_parameter", "got 10001 paths"},
		{"empty path", map[string]any{"category_id": "1", "paths": []string{"a.mp4", ""}}, "invalid_parameter", "path 1 is empty"},
		{"long path", map[string]any{"category_id": "1", "paths": []string{strings.Repeat("a", 1025)}}, "invalid_parameter", "1025 bytes"},
		{"paths not strings", map[string]any{"category_id": "1", "paths": []int{1}}, "invalid_parameter", "invalid parameter paths"},
		{"bad field", map[string]any{"category_id": "1", "object_name": "a.mp4", "NOTIFICATION_FIELD": "cb"}, "invalid_parameter", "NOTIFICATION_FIELD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := base(url, map[string]any{"CATEGORY_NAME": nil})
			for k, v := range tt.params {
				if v == nil {
					delete(params, k)
				} else {
					params[k] = v
				}
			}
			res := invoke(t, fastPipeline().AddFiles, params)
			require.Contains(t, res, "error")
			e := res["error"].(map[string]any)
			assert.Equal(t, tt.wantCode, e["code"])
			assert.Contains(t, e["message"], tt.wantMsg)
		})
	}
}
