package upload_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/upload"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

const (
	cbAK     = "upload-test-access-key"
	cbSK     = "upload-test-secret-key-0123456789"
	cbSecret = "upload-test-webhook-secret-0123"
)

// loop is a VOD Station emulator with a category, and a webhook receiver.
type loop struct {
	vod      *vodstationtest.Server
	cat      vodstationtest.Category
	receiver *webhooktest.Receiver
}

func newLoop(t *testing.T, opts vodstationtest.Options) *loop {
	t.Helper()
	opts.AccessKey, opts.SecretKey = cbAK, cbSK
	vod, err := vodstationtest.NewServer(opts)
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	l := &loop{vod: vod, receiver: webhooktest.NewReceiver(cbSecret)}
	t.Cleanup(l.receiver.Close)
	l.cat = vod.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: "out-bucket", OutputPath: "encoded"})
	return l
}

func mergeMaps(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// addParams are add-files' parameters for one file, typed by hand, with
// notifications to the loop's receiver.
func addParams(l *loop, key, notify string) map[string]any {
	return map[string]any{
		"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": l.vod.URL,
		"WEBHOOK_URL": l.receiver.URL, "WEBHOOK_SECRET": cbSecret, "NOTIFICATION_URL": notify,
		"category_id": l.cat.ID, "bucket_name": "in-bucket", "file_name": key,
	}
}

// addFilesResult decodes a successful add-files result.
func addFilesResult(t *testing.T, res map[string]any) upload.AddFilesResult {
	t.Helper()
	require.NotContains(t, res, "error")
	b, err := json.Marshal(res)
	require.NoError(t, err)
	var out upload.AddFilesResult
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// sequenceRun runs lookup-category then add-files on one event through the
// action loop, the second seeing only the first's result over its own
// parameters, as the platform does.
func sequenceRun(t *testing.T, u *upload.Uploader, vod *vodstationtest.Server, event, addParams map[string]any) upload.AddFilesResult {
	t.Helper()
	pkg := map[string]any{"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": vod.URL}
	sub := invoke(t, u.Lookup(), mergeMaps(pkg, map[string]any{"CATEGORY_NAME": "movies", "BUCKET_NAME": "in-bucket"}, event))
	require.NotContains(t, sub, "error")
	return addFilesResult(t, invoke(t, u.AddFiles(), mergeMaps(pkg, addParams, sub)))
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestDuplicateEvents(t *testing.T) {
	s3 := func(key, etag string) map[string]any {
		return map[string]any{"Records": []any{map[string]any{"eventName": "ObjectCreated:Put", "eventTime": "2026-11-21T09:00:00Z",
			"s3": map[string]any{"bucket": map[string]any{"name": "in-bucket"}, "object": map[string]any{"key": key, "size": 1000, "eTag": etag}}}}}
	}
	tests := []struct {
		name      string
		events    []map[string]any
		params    map[string]any
		advance   time.Duration // between the events
		wantSubs  int
		wantLast  string // the last result's reason ("" = submitted)
		freshPipe bool   // the second event reaches another container
	}{
		{name: "same flat event twice", events: []map[string]any{{"object_name": "a.mp4"}, {"object_name": "a.mp4"}}, wantSubs: 1, wantLast: "duplicate"},
		{name: "same S3 event twice", events: []map[string]any{s3("a.mp4", "e1"), s3("a.mp4", "e1")}, wantSubs: 1, wantLast: "duplicate"},
		{name: "same key, new upload (new etag)", events: []map[string]any{s3("a.mp4", "e1"), s3("a.mp4", "e2")}, wantSubs: 2},
		{name: "after the window", events: []map[string]any{{"object_name": "a.mp4"}, {"object_name": "a.mp4"}}, advance: 601 * time.Second, wantSubs: 2},
		{name: "within a shorter window", events: []map[string]any{{"object_name": "a.mp4"}, {"object_name": "a.mp4"}}, params: map[string]any{"DEDUP_WINDOW": "60"}, advance: 59 * time.Second, wantSubs: 1, wantLast: "duplicate"},
		{name: "DEDUP_WINDOW=0 turns it off", events: []map[string]any{{"object_name": "a.mp4"}, {"object_name": "a.mp4"}}, params: map[string]any{"DEDUP_WINDOW": 0}, wantSubs: 2},
		{name: "another container without the status check", events: []map[string]any{{"object_name": "a.mp4"}, {"object_name": "a.mp4"}}, freshPipe: true, wantSubs: 2},
		{name: "another container with DEDUP_CHECK_STATUS", events: []map[string]any{{"object_name": "a.mp4"}, {"object_name": "a.mp4"}}, params: map[string]any{"DEDUP_CHECK_STATUS": true}, freshPipe: true, wantSubs: 1, wantLast: "duplicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{t: time.Now()}
			l := newLoop(t, vodstationtest.Options{Clock: clk.now, CallbackDelay: time.Hour})
			u := upload.New(upload.WithClock(clk.now), upload.WithClientOptions(vodstation.WithClock(clk.now)))
			var res upload.AddFilesResult
			for i, ev := range tt.events {
				if i > 0 {
					clk.add(tt.advance)
					if tt.freshPipe {
						u = upload.New(upload.WithClock(clk.now), upload.WithClientOptions(vodstation.WithClock(clk.now)))
					}
				}
				res = sequenceRun(t, u, l.vod, ev, tt.params)
			}
			assert.Len(t, l.vod.Submissions(), tt.wantSubs)
			assert.Equal(t, tt.wantLast, res.Reason)
			assert.Equal(t, tt.wantLast != "", res.Skipped)
		})
	}
}

func TestDuplicateAmongSeveralPaths(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
	u := upload.New()
	sequenceRun(t, u, l.vod, map[string]any{"object_name": "a.mp4"}, nil)
	res := sequenceRun(t, u, l.vod, map[string]any{"Records": []any{
		map[string]any{"s3": map[string]any{"bucket": map[string]any{"name": "in-bucket"}, "object": map[string]any{"key": "a.mp4"}}},
		map[string]any{"s3": map[string]any{"bucket": map[string]any{"name": "in-bucket"}, "object": map[string]any{"key": "b.mp4"}}},
	}}, nil)
	assert.False(t, res.Skipped)
	require.Len(t, res.Files, 1)
	assert.Equal(t, "b.mp4", res.Files[0].Path)
	assert.Contains(t, res.SkippedFiles, upload.SkippedFile{Path: "a.mp4", Reason: "duplicate"})
	assert.Equal(t, map[string]int{"in-bucket/a.mp4": 1, "in-bucket/b.mp4": 1}, l.vod.SubmittedPaths())
}

// TestFailedSubmissionIsNotRemembered: a re-run after a failure submits.
func TestFailedSubmissionIsNotRemembered(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
	u := upload.New()
	l.vod.InjectFault(vodstationtest.InternalError(http.MethodPut, "/api/v2/category/", 1))
	failed := invoke(t, u.AddFiles(), addParams(l, "a.mp4", ""))
	require.Contains(t, failed, "error")
	res := addFilesResult(t, invoke(t, u.AddFiles(), addParams(l, "a.mp4", "")))
	assert.Equal(t, 1, res.Submitted)
	assert.Len(t, l.vod.Submissions(), 1)
}

// TestDedupStatusCheckDownStillSubmits: losing an upload is worse than
// encoding it twice.
func TestDedupStatusCheckDownStillSubmits(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
	l.vod.InjectFault(vodstationtest.Unavailable(http.MethodGet, "/api/v2/status", 0))
	fast := vodstation.WithRetry(vodstation.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})
	res := sequenceRun(t, upload.New(upload.WithClientOptions(fast)), l.vod, map[string]any{"object_name": "a.mp4"},
		map[string]any{"DEDUP_CHECK_STATUS": "true"})
	assert.Equal(t, 1, res.Submitted)
	require.NotEmpty(t, res.Warnings)
	assert.Contains(t, res.Warnings[len(res.Warnings)-1], "DEDUP_CHECK_STATUS")
}

// The same key is a duplicate only in the same bucket and category: the
// same name uploaded to another bucket, or submitted to another category,
// is another encoding and is submitted.
func TestSameKeyElsewhereIsNotADuplicate(t *testing.T) {
	tests := []struct {
		name      string
		second    map[string]any // the second event (and its lookup parameters)
		params    map[string]any
		freshPipe bool
	}{
		{name: "another bucket", second: map[string]any{"object_name": "a.mp4", "bucket_name": "other-bucket"}},
		{name: "another category", second: map[string]any{"object_name": "a.mp4", "CATEGORY_NAME": "series"}},
		{name: "another category, seen in the status list", second: map[string]any{"object_name": "a.mp4", "CATEGORY_NAME": "series"},
			params: map[string]any{"DEDUP_CHECK_STATUS": true}, freshPipe: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
			l.vod.AddCategory(vodstationtest.Category{Name: "series", OutputBucket: "out-bucket", OutputPath: "series"})
			u := upload.New()
			first := sequenceRun(t, u, l.vod, map[string]any{"object_name": "a.mp4"}, tt.params)
			require.False(t, first.Skipped, "precondition: the first upload is submitted")
			if tt.freshPipe {
				u = upload.New()
			}
			res := sequenceRun(t, u, l.vod, tt.second, tt.params)
			assert.False(t, res.Skipped, "reason %q", res.Reason)
			assert.Empty(t, res.Reason)
			assert.Len(t, l.vod.Submissions(), 2)
		})
	}
}

// TestDedupWindowZeroRemembersNothing: an upload submitted with
// DEDUP_WINDOW=0 is not remembered, so a later event in the same warm
// container, with the window back on, still submits it.
func TestDedupWindowZeroRemembersNothing(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
	u := upload.New()
	first := sequenceRun(t, u, l.vod, map[string]any{"object_name": "a.mp4"}, map[string]any{"DEDUP_WINDOW": 0})
	assert.Equal(t, 1, first.Submitted)
	second := sequenceRun(t, u, l.vod, map[string]any{"object_name": "a.mp4"}, nil)
	assert.Equal(t, 1, second.Submitted, "not taken for a duplicate of an upload the window did not keep")
	third := sequenceRun(t, u, l.vod, map[string]any{"object_name": "a.mp4"}, nil)
	assert.Equal(t, "duplicate", third.Reason, "the window is on again")
	assert.Len(t, l.vod.Submissions(), 2)
}

// A single upload skipped as a duplicate says so in reason alone; with
// several paths, each is listed.
func TestDuplicateSkippedFilesListed(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
	u := upload.New()
	sequenceRun(t, u, l.vod, map[string]any{"object_name": "a.mp4"}, nil)
	one := sequenceRun(t, u, l.vod, map[string]any{"object_name": "a.mp4"}, nil)
	assert.True(t, one.Skipped)
	assert.Empty(t, one.SkippedFiles, "one path: the reason says it all")

	rec := func(key string) any {
		return map[string]any{"s3": map[string]any{"bucket": map[string]any{"name": "in-bucket"}, "object": map[string]any{"key": key}}}
	}
	sequenceRun(t, u, l.vod, map[string]any{"Records": []any{rec("b.mp4"), rec("c.mp4")}}, nil)
	both := sequenceRun(t, u, l.vod, map[string]any{"Records": []any{rec("b.mp4"), rec("c.mp4")}}, nil)
	assert.True(t, both.Skipped)
	assert.Equal(t, []upload.SkippedFile{{Path: "b.mp4", Reason: "duplicate"}, {Path: "c.mp4", Reason: "duplicate"}}, both.SkippedFiles)
	assert.Len(t, l.vod.Submissions(), 2)
}
