package pipeline_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/pipeline"
	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// sequenceRun runs lookup-category then add-files on one event, the
// second seeing only the first's result over its own parameters, as the
// platform does.
func sequenceRun(t *testing.T, p *pipeline.Pipeline, vod *vodstationtest.Server, event, addParams map[string]any) pipeline.AddFilesResult {
	t.Helper()
	pkg := map[string]any{"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": vod.URL}
	lookupParams := mergeMaps(pkg, map[string]any{"CATEGORY_NAME": "movies", "BUCKET_NAME": "in-bucket"}, event)
	b, _ := json.Marshal(lookupParams)
	var lin pipeline.LookupInput
	require.NoError(t, json.Unmarshal(b, &lin))
	sub, err := p.LookupCategory(context.Background(), lin)
	require.NoError(t, err)
	b, _ = json.Marshal(sub)
	var subMap map[string]any
	require.NoError(t, json.Unmarshal(b, &subMap))
	b, _ = json.Marshal(mergeMaps(pkg, addParams, subMap))
	var ain pipeline.AddFilesInput
	require.NoError(t, json.Unmarshal(b, &ain))
	res, err := p.AddFiles(context.Background(), ain)
	require.NoError(t, err)
	return res
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
			p := pipeline.New(pipeline.WithClock(clk.now), pipeline.WithClientOptions(vodstation.WithClock(clk.now)))
			var res pipeline.AddFilesResult
			for i, ev := range tt.events {
				if i > 0 {
					clk.add(tt.advance)
					if tt.freshPipe {
						p = pipeline.New(pipeline.WithClock(clk.now), pipeline.WithClientOptions(vodstation.WithClock(clk.now)))
					}
				}
				res = sequenceRun(t, p, l.vod, ev, tt.params)
			}
			assert.Len(t, l.vod.Submissions(), tt.wantSubs)
			assert.Equal(t, tt.wantLast, res.Reason)
			assert.Equal(t, tt.wantLast != "", res.Skipped)
		})
	}
}

func TestDuplicateAmongSeveralPaths(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
	p := pipeline.New()
	sequenceRun(t, p, l.vod, map[string]any{"object_name": "a.mp4"}, nil)
	res := sequenceRun(t, p, l.vod, map[string]any{"Records": []any{
		map[string]any{"s3": map[string]any{"bucket": map[string]any{"name": "in-bucket"}, "object": map[string]any{"key": "a.mp4"}}},
		map[string]any{"s3": map[string]any{"bucket": map[string]any{"name": "in-bucket"}, "object": map[string]any{"key": "b.mp4"}}},
	}}, nil)
	assert.False(t, res.Skipped)
	require.Len(t, res.Files, 1)
	assert.Equal(t, "b.mp4", res.Files[0].Path)
	assert.Contains(t, res.SkippedFiles, pipeline.SkippedFile{Path: "a.mp4", Reason: "duplicate"})
	assert.Equal(t, map[string]int{"in-bucket/a.mp4": 1, "in-bucket/b.mp4": 1}, l.vod.SubmittedPaths())
}

// TestFailedSubmissionIsNotRemembered: a re-run after a failure submits.
func TestFailedSubmissionIsNotRemembered(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
	p := pipeline.New()
	l.vod.InjectFault(vodstationtest.InternalError(http.MethodPut, "/api/v2/category/", 1))
	in := addInput(t, l, "a.mp4", "")
	_, err := p.AddFiles(context.Background(), in)
	require.Error(t, err)
	res, err := p.AddFiles(context.Background(), addInput(t, l, "a.mp4", ""))
	require.NoError(t, err)
	assert.Equal(t, 1, res.Submitted)
	assert.Len(t, l.vod.Submissions(), 1)
}

// TestDedupStatusCheckDownStillSubmits: losing an upload is worse than
// encoding it twice.
func TestDedupStatusCheckDownStillSubmits(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour})
	l.vod.InjectFault(vodstationtest.Unavailable(http.MethodGet, "/api/v2/status", 0))
	fast := vodstation.WithRetry(vodstation.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})
	res := sequenceRun(t, pipeline.New(pipeline.WithClientOptions(fast)), l.vod, map[string]any{"object_name": "a.mp4"},
		map[string]any{"DEDUP_CHECK_STATUS": "true"})
	assert.Equal(t, 1, res.Submitted)
	require.NotEmpty(t, res.Warnings)
	assert.Contains(t, res.Warnings[len(res.Warnings)-1], "DEDUP_CHECK_STATUS")
}
