package upload_test

import (
	"bytes"
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
	"github.com/vodflow/vodflow/pkg/upload"
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

	// addDelay, when set, holds every add-files request that long before
	// answering (or until the client gives up). delayed is closed when a
	// request arrives and waiting; delayEnded when a delay ran its full
	// length (so the client waited for it).
	addDelay   time.Duration
	delayed    chan struct{}
	delayEnded chan struct{}
	delayOnce  sync.Once
	endOnce    sync.Once
}

func (f *fakeVOD) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.addDelay > 0 && r.Method == "PUT" && strings.HasSuffix(r.URL.Path, "/add-files") {
		// The server notices a client that gives up only once the body is read.
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		f.delayOnce.Do(func() { close(f.delayed) })
		select {
		case <-time.After(f.addDelay):
			f.endOnce.Do(func() { close(f.delayEnded) })
		case <-r.Context().Done():
			return
		}
	}
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

// listCalls is how many times the category list was read.
func (f *fakeVOD) listCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lists
}

// addedPaths are the paths of every add-files request, in order.
func (f *fakeVOD) addedPaths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, a := range f.adds {
		for _, p := range a["pathList"].([]any) {
			out = append(out, p.(string))
		}
	}
	return out
}

func newFake(t testing.TB, categories ...map[string]any) (*fakeVOD, string) {
	f := &fakeVOD{categories: categories, nextID: 1000, delayed: make(chan struct{}), delayEnded: make(chan struct{})}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

// env is a process environment for action.Serve: the loop exports the
// activation's fields (__OW_DEADLINE, __OW_ACTIVATION_ID) and reads them back.
type env struct {
	mu sync.Mutex
	m  map[string]string
}

func (e *env) get(k string) string { e.mu.Lock(); defer e.mu.Unlock(); return e.m[k] }
func (e *env) set(k, v string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil {
		e.m = map[string]string{}
	}
	e.m[k] = v
	return nil
}

// serveLine runs h on one activation line through the real actionloop
// plumbing and returns the raw result line.
func serveLine[C, In, Out any](t testing.TB, h action.Handler[C, In, Out], line []byte) []byte {
	t.Helper()
	return serveLineLog(t, h, line, nil)
}

// serveLineLog is serveLine with the activation's log line written to log
// (nil: dropped).
func serveLineLog[C, In, Out any](t testing.TB, h action.Handler[C, In, Out], line []byte, log io.Writer) []byte {
	t.Helper()
	var out strings.Builder
	e := &env{}
	require.NoError(t, action.Serve(context.Background(), action.Options{
		Name: "test", In: strings.NewReader(string(line) + "\n"), Out: &out, Log: log, Getenv: e.get, Setenv: e.set,
	}, h))
	return []byte(strings.TrimSuffix(out.String(), "\n"))
}

// invoke runs h on params through the real actionloop plumbing.
func invoke[C, In, Out any](t testing.TB, h action.Handler[C, In, Out], params map[string]any) map[string]any {
	t.Helper()
	line, err := json.Marshal(map[string]any{"value": params, "activation_id": "test"})
	require.NoError(t, err)
	raw := serveLine(t, h, line)
	var res map[string]any
	require.NoError(t, json.Unmarshal(raw, &res), string(raw))
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

// fast is an Uploader whose VOD Station clients retry without waiting.
func fast(opts ...upload.Option) *upload.Uploader {
	opts = append(opts, upload.WithClientOptions(vodstation.WithRetry(vodstation.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})))
	return upload.New(opts...)
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
		{"mixed-case extension", map[string]any{"object_name": "x.Mxf"}, "", "x.Mxf", false},
		{"text file", map[string]any{"object_name": "notes.txt"}, upload.ReasonUnsupportedExtension, "notes.txt", false},
		{"no extension", map[string]any{"object_name": "in/video"}, upload.ReasonUnsupportedExtension, "in/video", false},
		{"folder marker", map[string]any{"object_name": "in/folder/"}, upload.ReasonFolderMarker, "in/folder/", false},
		{"empty key", map[string]any{"object_name": " "}, upload.ReasonEmptyKey, " ", false},
		{"outside input prefix", map[string]any{"object_name": "other/a.mp4", "INPUT_PREFIX": "in/"}, upload.ReasonOutsideInputPrefix, "other/a.mp4", false},
		{"inside input prefix", map[string]any{"object_name": "in/a.mp4", "INPUT_PREFIX": "in/"}, "", "in/a.mp4", false},
		{"excluded prefix", map[string]any{"object_name": "out/a.mp4", "EXCLUDE_PREFIXES": "encoded/, out/"}, upload.ReasonExcludedPrefix, "out/a.mp4", false},
		{"extension override", map[string]any{"object_name": "a.mp4", "EXTENSIONS": []string{"mkv"}}, upload.ReasonUnsupportedExtension, "a.mp4", false},
		{"extension override with dots", map[string]any{"object_name": "a.TS", "EXTENSIONS": ".ts,.mp4"}, "", "a.TS", false},
		{"unplayable name still submitted", map[string]any{"object_name": "in/take#1.mp4"}, "", "in/take#1.mp4", true},
		{"delete event", map[string]any{"object_name": "a.mp4", "event_type": "ObjectRemoved:Delete"}, upload.ReasonNotCreated, "a.mp4", false},
		{"encoded korean decoded once", map[string]any{"object_name": "in/%ED%95%9C%EA%B8%80.mp4"}, "", "in/한글.mp4", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := invoke(t, fast().Lookup(), base(url, tt.params))
			require.NotContains(t, res, "error")
			assert.Equal(t, tt.wantKey, res["file_name"])
			assert.Equal(t, "uploads", res["bucket_name"])
			if tt.wantSkip != "" {
				assert.Equal(t, true, res["skipped"])
				assert.Equal(t, tt.wantSkip, res["reason"])
				assert.NotContains(t, res, "category_id", "no lookup for a skipped upload")
				assert.NotContains(t, res, "skipped_files", "one object: the reason says it all")
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

// Every input format VOD Station's add-files documents is submitted by
// default, in any case, and near misses are not.
func TestLookupEveryDefaultExtension(t *testing.T) {
	documented := []string{"avi", "mov", "mp4", "mp3", "3gp", "mpg", "mpeg", "m4v", "vob", "wmv", "asf", "mkv", "flv", "webm", "gif", "av1", "mxf"}
	assert.ElementsMatch(t, documented, upload.DefaultExtensions)
	_, url := newFake(t, map[string]any{"id": 11, "name": "vod"})
	var records, want []any
	add := func(key string) {
		records = append(records, map[string]any{"eventName": "ObjectCreated:Put",
			"s3": map[string]any{"bucket": map[string]any{"name": "uploads"}, "object": map[string]any{"key": key}}})
	}
	for _, ext := range documented {
		for _, key := range []string{"in/v." + ext, "in/V." + strings.ToUpper(ext)} {
			add(key)
			want = append(want, key)
		}
	}
	for _, miss := range []string{"in/v.mp5", "in/v.mp4.txt", "in/mp4", "in/v.ts"} {
		add(miss)
	}
	res := invoke(t, fast().Lookup(), base(url, map[string]any{"Records": records}))
	require.NotContains(t, res, "error")
	assert.Equal(t, want, res["paths"])
	assert.Len(t, res["skipped_files"], 4)
}

func TestLookupSkipMakesNoCall(t *testing.T) {
	vod, url := newFake(t, map[string]any{"id": 11, "name": "vod"})
	res := invoke(t, fast().Lookup(), base(url, map[string]any{"object_name": "notes.txt"}))
	assert.Equal(t, true, res["skipped"])
	assert.Equal(t, 0, vod.listCalls())
}

func TestLookupCache(t *testing.T) {
	var cats []map[string]any
	for i := 1; i <= 60; i++ {
		cats = append(cats, map[string]any{"id": i, "name": fmt.Sprintf("cat-%d", i)})
	}
	vod, url := newFake(t, cats...)
	now := time.Unix(1700000000, 0)
	u := fast(upload.WithClock(func() time.Time { return now }))
	params := base(url, map[string]any{"CATEGORY_NAME": "cat-45", "object_name": "a.mp4"})

	res := invoke(t, u.Lookup(), params)
	assert.Equal(t, "45", res["category_id"])
	assert.Equal(t, 3, vod.listCalls(), "page 3 holds cat-45")

	res = invoke(t, u.Lookup(), params)
	assert.Equal(t, "45", res["category_id"])
	assert.Equal(t, 3, vod.listCalls(), "warm: no second listing")

	other := base(url, map[string]any{"CATEGORY_NAME": "cat-2", "object_name": "a.mp4"})
	invoke(t, u.Lookup(), other)
	assert.Equal(t, 4, vod.listCalls(), "another name is another cache entry")

	now = now.Add(301 * time.Second)
	invoke(t, u.Lookup(), params)
	assert.Equal(t, 7, vod.listCalls(), "expired after the default 300 s")
}

// TestLookupCacheTTLZero: CATEGORY_CACHE_TTL=0 means no cache at all, in
// one warm container: an entry stored with another TTL is not read, and
// nothing is stored (an entry stored with TTL 0 would never expire).
func TestLookupCacheTTLZero(t *testing.T) {
	vod, url := newFake(t, map[string]any{"id": 1, "name": "cat-1"}, map[string]any{"id": 2, "name": "cat-2"})
	now := time.Unix(1700000000, 0)
	u := fast(upload.WithClock(func() time.Time { return now }))
	withTTL := func(ttl string) map[string]any {
		return base(url, map[string]any{"CATEGORY_NAME": "cat-2", "object_name": "a.mp4", "CATEGORY_CACHE_TTL": ttl})
	}

	res := invoke(t, u.Lookup(), withTTL("300"))
	require.Equal(t, "2", res["category_id"])
	require.Equal(t, 1, vod.listCalls())
	invoke(t, u.Lookup(), withTTL("300"))
	require.Equal(t, 1, vod.listCalls(), "TTL 300 stored the category")

	for i := 2; i <= 3; i++ {
		res = invoke(t, u.Lookup(), withTTL("0"))
		assert.Equal(t, "2", res["category_id"])
		assert.Equal(t, i, vod.listCalls(), "TTL 0 does not read the cache: call %d lists again", i)
	}

	// Once the TTL-300 entry is gone, a TTL-0 lookup must not leave one.
	now = now.Add(301 * time.Second)
	invoke(t, u.Lookup(), withTTL("0"))
	assert.Equal(t, 4, vod.listCalls())
	invoke(t, u.Lookup(), withTTL("300"))
	assert.Equal(t, 5, vod.listCalls(), "TTL 0 stored nothing")
}

func TestLookupCategoryIDSkipsLookup(t *testing.T) {
	vod, url := newFake(t)
	res := invoke(t, fast().Lookup(), base(url, map[string]any{"CATEGORY_NAME": nil, "CATEGORY_ID": 987, "object_name": "a.mp4"}))
	assert.Equal(t, "987", res["category_id"])
	assert.Equal(t, 0, vod.listCalls())
}

func TestLookupSkipsCategoryOutput(t *testing.T) {
	_, url := newFake(t, map[string]any{"id": 5, "name": "vod", "output": map[string]any{"bucketName": "uploads", "filePath": "/encoded"}})
	res := invoke(t, fast().Lookup(), base(url, map[string]any{"object_name": "encoded/vod/a_AVC_HD_1Pass_30fps.mp4"}))
	assert.Equal(t, true, res["skipped"])
	assert.Equal(t, upload.ReasonCategoryOutput, res["reason"])

	res = invoke(t, fast().Lookup(), base(url, map[string]any{"object_name": "encoded/vod/a.mp4", "bucket_name": "other-bucket"}))
	assert.NotContains(t, res, "skipped", "another bucket is not the output")
}

// An output object in an event with real uploads is dropped, listed as the
// category's output, and the uploads before and after it are submitted.
func TestLookupDropsOutputAmongUploads(t *testing.T) {
	_, url := newFake(t, map[string]any{"id": 5, "name": "vod", "output": map[string]any{"bucketName": "uploads", "filePath": "/encoded"}})
	rec := func(key string) map[string]any {
		return map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"bucket": map[string]any{"name": "uploads"}, "object": map[string]any{"key": key}}}
	}
	res := invoke(t, fast().Lookup(), base(url, map[string]any{"Records": []any{
		rec("in/a.mp4"), rec("encoded/vod/a_AVC_HD_1Pass_30fps.mp4"), rec("in/b.mp4"), rec("in/c.mp4"),
	}}))
	assert.NotContains(t, res, "skipped")
	assert.Equal(t, []any{"in/a.mp4", "in/b.mp4", "in/c.mp4"}, res["paths"])
	assert.Equal(t, []any{map[string]any{"path": "encoded/vod/a_AVC_HD_1Pass_30fps.mp4", "reason": upload.ReasonCategoryOutput}}, res["skipped_files"])
	// The fake has no encoding options to give: only the output folder is
	// recognised, and a warning says so.
	require.Len(t, res["warnings"], 1)
	assert.Contains(t, res["warnings"].([]any)[0], "the encoding options of category 5 could not be read")
	assert.Contains(t, res["warnings"].([]any)[0], "only keys under encoded/ are recognised as its outputs")
}

// TestLookupRepeatedObject: an event naming the same object twice submits
// it once, at its first place, with what the latest record says of it,
// and lists the repeat as skipped.
func TestLookupRepeatedObject(t *testing.T) {
	_, url := newFake(t, map[string]any{"id": 5, "name": "vod"})
	rec := func(key, etag string) map[string]any {
		return map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"bucket": map[string]any{"name": "uploads"}, "object": map[string]any{"key": key, "eTag": etag}}}
	}
	res := invoke(t, fast().Lookup(), base(url, map[string]any{"Records": []any{rec("a.mp4", "e1"), rec("b.mp4", "b1"), rec("a.mp4", "e2"), rec("c.mp4", "c1")}}))
	require.NotContains(t, res, "error")
	assert.Equal(t, []any{"a.mp4", "b.mp4", "c.mp4"}, res["paths"])
	assert.Equal(t, map[string]any{"a.mp4": "etag=e2", "b.mp4": "etag=b1", "c.mp4": "etag=c1"}, res["versions"])
	assert.Equal(t, []any{map[string]any{"path": "a.mp4", "reason": upload.ReasonRepeated}}, res["skipped_files"])
}

func TestLookupMultipleRecords(t *testing.T) {
	_, url := newFake(t, map[string]any{"id": 5, "name": "vod"})
	params := base(url, map[string]any{"Records": []any{
		map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"bucket": map[string]any{"name": "up"}, "object": map[string]any{"key": "a.mp4"}}},
		map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"bucket": map[string]any{"name": "up"}, "object": map[string]any{"key": "b+c.txt"}}},
		map[string]any{"eventName": "ObjectCreated:CompleteMultipartUpload", "s3": map[string]any{"bucket": map[string]any{"name": "up"}, "object": map[string]any{"key": "d+e.mkv"}}},
	}})
	res := invoke(t, fast().Lookup(), params)
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
		{"non-string object_name", base(url, map[string]any{"object_name": 12}), "invalid_parameter", "invalid parameter object_name: got a number, want a string"},
		{"no bucket anywhere", base(url, map[string]any{"BUCKET_NAME": nil, "object_name": "a.mp4"}), "missing_parameter", "missing parameter BUCKET_NAME"},
		{"bad API_URL", base("vodstation.example", map[string]any{"object_name": "a.mp4"}), "invalid_parameter", "invalid parameter API_URL"},
		{"bad TTL", base(url, map[string]any{"CATEGORY_CACHE_TTL": "-5", "object_name": "a.mp4"}), "invalid_parameter", "invalid parameter CATEGORY_CACHE_TTL"},
		{"bad key decoding", base(url, map[string]any{"KEY_DECODING": "rot13", "object_name": "a.mp4"}), "invalid_parameter", "invalid parameter KEY_DECODING"},
		{"bad category id", base(url, map[string]any{"CATEGORY_ID": "movies", "object_name": "a.mp4"}), "invalid_parameter", "invalid parameter CATEGORY_ID"},
		// The checks after a valid CATEGORY_ID, or a valid storage
		// endpoint, still run.
		{"bad TTL after a category id", base(url, map[string]any{"CATEGORY_ID": "7", "CATEGORY_CACHE_TTL": "-5", "object_name": "a.mp4"}), "invalid_parameter", "invalid parameter CATEGORY_CACHE_TTL"},
		{"bad storage endpoint", base(url, map[string]any{"OBJECT_STORAGE_ENDPOINT": "https://kr.object.ncloudstorage.com/uploads", "object_name": "a.mp4"}), "invalid_parameter", "invalid parameter OBJECT_STORAGE_ENDPOINT"},
		{"bad TTL after a storage endpoint", base(url, map[string]any{"OBJECT_STORAGE_ENDPOINT": "https://kr.object.ncloudstorage.com", "CATEGORY_CACHE_TTL": "-5", "object_name": "a.mp4"}), "invalid_parameter", "invalid parameter CATEGORY_CACHE_TTL"},
		{"one object in two buckets", base(url, map[string]any{"Records": []any{
			map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"bucket": map[string]any{"name": "up-a"}, "object": map[string]any{"key": "a.mp4"}}},
			map[string]any{"eventName": "ObjectCreated:Put", "s3": map[string]any{"bucket": map[string]any{"name": "up-b"}, "object": map[string]any{"key": "a.mp4"}}},
		}}), "invalid_parameter", "invalid parameter Records: the event names objects in several buckets (up-a, up-b)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := invoke(t, fast().Lookup(), tt.params)
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
	lookup := invoke(t, fast().Lookup(), base(url, map[string]any{"object_name": "in/take#1.mp4"}))
	raw, err := json.Marshal(lookup)
	require.NoError(t, err)

	// Action 1's result is a Submission, and encodes back to the same JSON.
	var in upload.Submission
	require.NoError(t, json.Unmarshal(raw, &in))
	require.Len(t, in.Warnings, 1)
	assert.Equal(t, upload.Submission{
		CategoryID: "77", CategoryName: "vod", BucketName: "uploads", FileName: "in/take#1.mp4",
		Warnings: in.Warnings,
	}, in)
	again, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, string(raw), string(again))

	// And action 2 acts on it: result merged over add-files' own defaults.
	params := map[string]any{}
	json.Unmarshal(raw, &params)
	for k, v := range base(url, map[string]any{"CATEGORY_NAME": nil, "BUCKET_NAME": nil}) {
		params[k] = v
	}
	res := invoke(t, fast().AddFiles(), params)
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
	params := base(url, map[string]any{"CATEGORY_NAME": nil}) // lookup-category's: add-files would warn of it
	for k, v := range in {
		params[k] = v
	}
	res := invoke(t, fast().AddFiles(), params)
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
			res := invoke(t, fast().AddFiles(), params)
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
	res := invoke(t, fast().AddFiles(), params)
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
	res := invoke(t, fast().AddFiles(), base(url, map[string]any{"category_id": "3", "paths": manyPaths(250)}))
	require.Contains(t, res, "error")
	e := res["error"].(map[string]any)
	assert.Equal(t, "upstream_error", e["code"])
	msg := e["message"].(string)
	// The message is the cause's own text (no "add files: " of ours in front).
	assert.True(t, strings.HasPrefix(msg, "vodstation: add files: PUT /api/v2/category/3/add-files: HTTP 500"), msg)
	assert.Contains(t, msg, "100 files were submitted before the failure, 150 were not")
	d := e["details"].(map[string]any)
	assert.Len(t, d["submitted"], 100)
	assert.Len(t, d["not_submitted"], 150)
	assert.EqualValues(t, 100, d["submitted_count"])
	assert.EqualValues(t, 150, d["not_submitted_count"])
	assert.Equal(t, "in/0100.mp4", d["not_submitted"].([]any)[0], "the failed batch is not submitted")
	assert.EqualValues(t, 500, d["http_status"])
	assert.Len(t, vod.adds, 2, "a 500 on add-files is never retried")
}

// TestAddFilesFailureDetailsAreBounded: a failure late in a large batch
// lists at most MaxListedPaths of each kind, with the full counts.
func TestAddFilesFailureDetailsAreBounded(t *testing.T) {
	vod, url := newFake(t)
	vod.addStatus = make([]int, 12)
	vod.addStatus[11] = 500 // batches 1-11 accepted, the 12th fails
	raw := serveLine(t, fast().AddFiles(), mustJSON(t, map[string]any{"value": base(url, map[string]any{"category_id": "3", "paths": manyPaths(10000)})}))
	var res map[string]any
	require.NoError(t, json.Unmarshal(raw, &res))
	require.Contains(t, res, "error")
	e := res["error"].(map[string]any)
	assert.Contains(t, e["message"], "1100 files were submitted before the failure, 8900 were not")
	d := e["details"].(map[string]any)
	assert.Len(t, d["submitted"], upload.MaxListedPaths)
	assert.Len(t, d["not_submitted"], upload.MaxListedPaths)
	assert.EqualValues(t, 1100, d["submitted_count"])
	assert.EqualValues(t, 8900, d["not_submitted_count"])
	assert.Less(t, len(raw), 256<<10, "the error result stays far under 1 MB")
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
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
			res := invoke(t, fast().AddFiles(), params)
			require.Contains(t, res, "error")
			e := res["error"].(map[string]any)
			assert.Equal(t, tt.wantCode, e["code"])
			assert.Contains(t, e["message"], tt.wantMsg)
		})
	}
}

// A name VOD Station cannot play is submitted with a warning naming the
// character, wherever it is in the name, the first byte included.
func TestLookupUnplayableNameWarning(t *testing.T) {
	vod, url := newFake(t, map[string]any{"id": 11, "name": "vod"})
	tests := []struct {
		key  string
		char string // "" = no warning
	}{
		{"#1.mp4", "#"},
		{"in/take$2.mp4", "$"},
		{"in/a;b.mp4", ";"},
		{"in/a;b#c.mp4", ";"},
		{"in/plain name (1).mp4", ""},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			res := invoke(t, fast().Lookup(), base(url, map[string]any{"object_name": tt.key}))
			require.NotContains(t, res, "error")
			assert.Equal(t, "11", res["category_id"], "submitted anyway")
			if tt.char == "" {
				assert.NotContains(t, res, "warnings")
				return
			}
			require.Contains(t, res, "warnings")
			assert.Contains(t, fmt.Sprint(res["warnings"]), "file name "+tt.key+" contains "+tt.char+":")
		})
	}
	assert.Equal(t, 0, len(vod.adds))
}
