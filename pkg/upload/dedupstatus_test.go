package upload_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/upload"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// TestDedupCheckStatusRule: with DEDUP_CHECK_STATUS=true, in a fresh
// container, an upload is skipped as a duplicate only when VOD Station's
// status list has the same bucket, key and category queued, running or
// complete. The status list is scripted; add-files goes to the emulator.
func TestDedupCheckStatusRule(t *testing.T) {
	const key = "uploads/a.mp4"
	row := func(status string, mod func(map[string]any)) map[string]any {
		r := map[string]any{"fileId": 7, "categoryId": 1, "categoryName": "movies", "filePath": key,
			"outputType": "AVC_SD_1Pass_30fps", "status": status, "percent": 0, "lastWorkTime": "2026-11-21T09:00:00Z"}
		if mod != nil {
			mod(r)
		}
		return r
	}
	with := func(k string, v any) func(map[string]any) { return func(r map[string]any) { r[k] = v } }
	without := func(k string) func(map[string]any) { return func(r map[string]any) { delete(r, k) } }
	tests := []struct {
		name       string
		rows       []map[string]any
		fileBucket string // GET /api/v2/status/7's input.bucketName
		wantDup    bool
		wantWarn   string
		noInName   bool // add-files is given category_id alone (no category_name)
	}{
		{name: "WAITING, same bucket+key+category", rows: []map[string]any{row("WAITING", nil)}, fileBucket: "in-bucket", wantDup: true},
		{name: "RUNNING, same bucket+key+category", rows: []map[string]any{row("RUNNING", nil)}, fileBucket: "in-bucket", wantDup: true},
		{name: "COMPLETE, same bucket+key+category", rows: []map[string]any{row("COMPLETE", nil), row("COMPLETE", with("outputType", "HD"))}, fileBucket: "in-bucket", wantDup: true},
		{name: "bucket on the row itself", rows: []map[string]any{row("COMPLETE", with("bucketName", "in-bucket"))}, wantDup: true},
		{name: "leading slash on the row's path", rows: []map[string]any{row("RUNNING", with("filePath", "/"+key))}, fileBucket: "in-bucket", wantDup: true},
		{name: "same key, another bucket", rows: []map[string]any{row("COMPLETE", nil)}, fileBucket: "other-bucket"},
		{name: "same key, another bucket on the row", rows: []map[string]any{row("COMPLETE", with("bucketName", "other-bucket"))}},
		{name: "same key, another category", rows: []map[string]any{row("COMPLETE", with("categoryId", 2))}, fileBucket: "in-bucket"},
		{name: "another key", rows: []map[string]any{row("COMPLETE", with("filePath", "uploads/b.mp4"))}, fileBucket: "in-bucket"},
		{name: "after FAILURE", rows: []map[string]any{row("FAILURE", nil)}, fileBucket: "in-bucket"},
		{name: "after CANCELED", rows: []map[string]any{row("CANCELED", nil)}, fileBucket: "in-bucket"},
		{name: "one rendition FAILURE, one COMPLETE", rows: []map[string]any{row("COMPLETE", nil), row("FAILURE", with("outputType", "HD"))}, fileBucket: "in-bucket"},
		{name: "an old FAILURE and a newer RUNNING file", rows: []map[string]any{row("FAILURE", with("fileId", 6)), row("RUNNING", nil)}, fileBucket: "in-bucket", wantDup: true},
		{name: "no bucket, no file id: cannot tell", rows: []map[string]any{row("COMPLETE", without("fileId"))},
			wantWarn: "does not say which bucket"},
		{name: "no category id, same category name", rows: []map[string]any{row("COMPLETE", without("categoryId"))}, fileBucket: "in-bucket", wantDup: true},
		{name: "no category id, another category name", rows: []map[string]any{row("COMPLETE", func(r map[string]any) { delete(r, "categoryId"); r["categoryName"] = "other" })}, fileBucket: "in-bucket"},
		{name: "no category at all: cannot tell", rows: []map[string]any{row("COMPLETE", func(r map[string]any) { delete(r, "categoryId"); delete(r, "categoryName") })},
			fileBucket: "in-bucket", wantWarn: "names no category"},
		{name: "row by category name, upload by category id: cannot tell", rows: []map[string]any{row("COMPLETE", without("categoryId"))},
			fileBucket: "in-bucket", noInName: true, wantWarn: "names no category"},
		{name: "no category on the row nor a name for the upload: cannot tell", rows: []map[string]any{row("COMPLETE", func(r map[string]any) { delete(r, "categoryId"); delete(r, "categoryName") })},
			fileBucket: "in-bucket", noInName: true, wantWarn: "names no category"},
		{name: "row by category id, upload by category id", rows: []map[string]any{row("COMPLETE", without("categoryName"))}, fileBucket: "in-bucket", noInName: true, wantDup: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := vodstationtest.New(vodstationtest.Options{AccessKey: cbAK, SecretKey: cbSK, CallbackDelay: time.Hour})
			t.Cleanup(emu.Close)
			cat := emu.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: "out-bucket", OutputPath: "encoded"})
			require.EqualValues(t, 1, cat.ID)
			api, _ := statusAPI(t, emu, tt.rows, func(string) (string, bool) { return tt.fileBucket, true })

			params := map[string]any{
				"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": api, "DEDUP_CHECK_STATUS": "true",
				"category_id": "1", "category_name": "movies", "bucket_name": "in-bucket", "file_name": key,
			}
			if tt.noInName {
				delete(params, "category_name")
			}
			res := addFilesResult(t, invoke(t, upload.New().AddFiles(), params))

			if tt.wantDup {
				assert.True(t, res.Skipped)
				assert.Equal(t, "duplicate", res.Reason)
				assert.Empty(t, emu.Submissions())
			} else {
				assert.False(t, res.Skipped, "submitted")
				assert.Equal(t, 1, res.Submitted)
				assert.Equal(t, map[string]int{"in-bucket/" + key: 1}, emu.SubmittedPaths())
			}
			if tt.wantWarn != "" {
				require.NotEmpty(t, res.Warnings)
				assert.Contains(t, res.Warnings[len(res.Warnings)-1], tt.wantWarn)
			} else {
				// A row of another category is simply not this upload's:
				// nothing to warn about.
				assert.Empty(t, res.Warnings)
			}
		})
	}
}

// TestDedupCheckStatusSeveralPaths: with several paths, a row that cannot
// be judged (no category, no bucket) is warned about and its path
// submitted, and the rows after it are still judged; rows for paths not in
// the submission raise no warning and cost no per-file status call.
func TestDedupCheckStatusSeveralPaths(t *testing.T) {
	row := func(id int, path string, mod func(map[string]any)) map[string]any {
		r := map[string]any{"fileId": id, "categoryId": 1, "categoryName": "movies", "filePath": path,
			"outputType": "AVC_SD_1Pass_30fps", "status": "COMPLETE", "percent": 100, "lastWorkTime": "2026-11-21T09:00:00Z"}
		if mod != nil {
			mod(r)
		}
		return r
	}
	noCategory := func(r map[string]any) { delete(r, "categoryId"); delete(r, "categoryName") }
	noID := func(r map[string]any) { delete(r, "fileId") }
	rows := []map[string]any{
		row(1, "up/a.mp4", noCategory),     // cannot tell: warned, submitted
		row(2, "up/b.mp4", noID),           // no bucket, no id: warned, submitted
		row(7, "up/f.mp4", nil),            // GET /status/7 fails: warned, submitted
		row(3, "up/c.mp4", nil),            // a duplicate (bucket from GET /status/3)
		row(4, "up/other.mp4", noCategory), // not submitted now: no warning
		row(5, "up/other2.mp4", nil),       // not submitted now: no GET /status/5
		row(6, "up/d.mp4", func(r map[string]any) { r["bucketName"] = "in-bucket" }), // a duplicate, bucket on the row
	}
	emu := vodstationtest.New(vodstationtest.Options{AccessKey: cbAK, SecretKey: cbSK, CallbackDelay: time.Hour})
	t.Cleanup(emu.Close)
	emu.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: "out-bucket", OutputPath: "encoded"})
	api, fileCalls := statusAPI(t, emu, rows, func(id string) (string, bool) { return "in-bucket", id != "7" })

	res := addFilesResult(t, invoke(t, upload.New().AddFiles(), map[string]any{
		"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": api, "DEDUP_CHECK_STATUS": "true",
		"category_id": "1", "category_name": "movies", "bucket_name": "in-bucket",
		"paths": []string{"up/a.mp4", "up/b.mp4", "up/c.mp4", "up/d.mp4", "up/e.mp4", "up/f.mp4"},
	}))

	assert.False(t, res.Skipped)
	assert.Equal(t, map[string]int{"in-bucket/up/a.mp4": 1, "in-bucket/up/b.mp4": 1, "in-bucket/up/e.mp4": 1, "in-bucket/up/f.mp4": 1}, emu.SubmittedPaths())
	assert.Equal(t, []upload.SkippedFile{{Path: "up/c.mp4", Reason: "duplicate"}, {Path: "up/d.mp4", Reason: "duplicate"}}, res.SkippedFiles)
	require.Len(t, res.Warnings, 3, "%q", res.Warnings)
	assert.Contains(t, res.Warnings[0], "up/a.mp4 names no category")
	assert.Contains(t, res.Warnings[1], "which bucket up/b.mp4 was queued from")
	assert.Contains(t, res.Warnings[2], "could not read the bucket of file 7")
	assert.Equal(t, []string{"7", "3"}, fileCalls(), "only the submitted paths whose row has no bucket")
}

// statusAPI is a VOD Station whose status list is rows and whose status of
// one file names the bucket bucketOf gives (a 404 when it says no); every
// other request goes to emu. It returns its URL and, in order, the file
// ids whose status was asked.
func statusAPI(t *testing.T, emu *vodstationtest.Emulator, rows []map[string]any, bucketOf func(id string) (string, bool)) (string, func() []string) {
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v2/status":
			_ = json.NewEncoder(w).Encode(map[string]any{"content": rows, "total": len(rows)})
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v2/status/"):
			id := strings.TrimPrefix(r.URL.Path, "/api/v2/status/")
			mu.Lock()
			asked = append(asked, id)
			mu.Unlock()
			bucket, ok := bucketOf(id)
			if !ok {
				http.Error(w, `{"errorCode":"404","message":"no such file"}`, http.StatusNotFound)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"content": map[string]any{
				"input": map[string]any{"fileId": id, "bucketName": bucket}, "categoryId": 1, "categoryName": "movies"}})
		default:
			emu.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), asked...)
	}
}
