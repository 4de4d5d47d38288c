package vodstationtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func manyPaths(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("in/v%03d.mp4", i)
	}
	return out
}

func TestAddFilesValidation(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddCategory(Category{ID: 10, Name: "movies"})

	tests := []struct {
		name     string
		category string
		body     any
		status   int
		code     string // "" = accepted
	}{
		{name: "path list", body: map[string]any{"bucketName": "in-bucket", "pathList": []string{"a.mp4"}}, status: 200},
		{name: "100 paths", body: map[string]any{"bucketName": "in-bucket", "pathList": manyPaths(100)}, status: 200},
		{name: "download urls", body: map[string]any{"httpDownloadUrlList": []string{"https://x.example/a.mp4"}}, status: 200},
		{name: "101 paths", body: map[string]any{"bucketName": "in-bucket", "pathList": manyPaths(101)}, status: 400, code: CodeInputValue},
		{name: "101 urls", body: map[string]any{"httpDownloadUrlList": manyURLs(101)}, status: 400, code: CodeInputValue},
		{name: "both", body: map[string]any{"bucketName": "in-bucket", "pathList": []string{"a.mp4"}, "httpDownloadUrlList": []string{"https://x.example/a.mp4"}}, status: 400, code: CodeInputValue},
		{name: "neither", body: map[string]any{"notification": "https://cb.example/"}, status: 400, code: CodeInputValue},
		{name: "empty object", body: "{}", status: 400, code: CodeInputValue},
		{name: "json null", body: "null", status: 400, code: CodeInputValue},
		{name: "empty body", body: "", status: 400, code: CodeInputValue},
		{name: "bad json", body: `{"bucketName":"in-bucket","pathList":["a.mp4"]`, status: 400, code: CodeInputValue},
		{name: "trailing garbage", body: `{"bucketName":"in-bucket","pathList":["a.mp4"]} x`, status: 400, code: CodeInputValue},
		{name: "wrong types", body: `{"bucketName":7,"pathList":"a.mp4"}`, status: 400, code: CodeInputValue},
		{name: "array body", body: `[1,2]`, status: 400, code: CodeInputValue},
		{name: "empty path list", body: map[string]any{"bucketName": "in-bucket", "pathList": []string{}}, status: 400, code: CodeInputValue},
		{name: "empty path", body: map[string]any{"bucketName": "in-bucket", "pathList": []string{"a.mp4", ""}}, status: 400, code: CodeInputValue},
		{name: "blank path", body: map[string]any{"bucketName": "in-bucket", "pathList": []string{"  "}}, status: 400, code: CodeInputValue},
		{name: "path list without bucket", body: map[string]any{"pathList": []string{"a.mp4"}}, status: 400, code: CodeInputValue},
		{name: "bucket without path list", body: map[string]any{"bucketName": "in-bucket"}, status: 400, code: CodeInputValue},
		{name: "empty url", body: map[string]any{"httpDownloadUrlList": []string{""}}, status: 400, code: CodeInputValue},
		{name: "url not http", body: map[string]any{"httpDownloadUrlList": []string{"ftp://x.example/a.mp4"}}, status: 400, code: CodeInputValue},
		{name: "bucket too short", body: map[string]any{"bucketName": "ab", "pathList": []string{"a.mp4"}}, status: 400, code: CodeInvalidBucket},
		{name: "bucket too long", body: map[string]any{"bucketName": strings.Repeat("a", 64), "pathList": []string{"a.mp4"}}, status: 400, code: CodeInvalidBucket},
		{name: "bucket 63 chars", body: map[string]any{"bucketName": strings.Repeat("a", 63), "pathList": []string{"a.mp4"}}, status: 200},
		{name: "bucket uppercase", body: map[string]any{"bucketName": "InBucket", "pathList": []string{"a.mp4"}}, status: 400, code: CodeInvalidBucket},
		{name: "bucket leading hyphen", body: map[string]any{"bucketName": "-bucket", "pathList": []string{"a.mp4"}}, status: 400, code: CodeInvalidBucket},
		{name: "bucket underscore", body: map[string]any{"bucketName": "in_bucket", "pathList": []string{"a.mp4"}}, status: 400, code: CodeInvalidBucket},
		{name: "bad notification", body: map[string]any{"bucketName": "in-bucket", "pathList": []string{"a.mp4"}, "notification": "not a url"}, status: 400, code: CodeInputValue},
		{name: "unknown category", category: "11", body: map[string]any{"bucketName": "in-bucket", "pathList": []string{"a.mp4"}}, status: 404, code: CodeResourceNotFound},
		{name: "non-numeric category", category: "movies", body: map[string]any{"bucketName": "in-bucket", "pathList": []string{"a.mp4"}}, status: 404, code: CodeResourceNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			category := tt.category
			if category == "" {
				category = "10"
			}
			before := len(s.Submissions())
			status, body := call(t, s, http.MethodPut, "/api/v2/category/"+category+"/add-files", tt.body)
			assert.Equal(t, tt.status, status, "body %s", body)
			if tt.code == "" {
				assert.Len(t, s.Submissions(), before+1)
				return
			}
			e := errorOf(t, body)
			assert.Equal(t, tt.code, e.ErrorCode)
			assert.NotEmpty(t, e.Message)
			assert.NotEmpty(t, e.Details)
			assert.Len(t, s.Submissions(), before, "rejected request must not be recorded")
		})
	}
}

func manyURLs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("https://x.example/v%03d.mp4", i)
	}
	return out
}

func TestAddFilesAccepted(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddCategory(Category{ID: 42, Name: "movies"})

	body := `{"bucketName":"in-bucket","pathList":["a/one.mp4","b/two.mov"]}`
	status, resp := call(t, s, http.MethodPut, "/api/v2/category/42/add-files", body)
	require.Equal(t, http.StatusOK, status, "%s", resp)
	assert.JSONEq(t, `{"content":[
		{"id":1,"filePath":"a/one.mp4","bucketName":"in-bucket","categoryId":42,"status":"WAITING"},
		{"id":2,"filePath":"b/two.mov","bucketName":"in-bucket","categoryId":42,"status":"WAITING"}]}`, string(resp))

	status, resp = call(t, s, http.MethodPut, "/api/v2/category/42/add-files", `{"bucketName":"in-bucket","pathList":["a/one.mp4"]}`)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(resp), `"id":3`)

	status, _ = call(t, s, http.MethodPut, "/api/v2/category/42/add-files", `{"httpDownloadUrlList":["https://dl.example/x/clip.mp4"]}`)
	require.Equal(t, http.StatusOK, status)

	subs := s.Submissions()
	require.Len(t, subs, 3)
	assert.Equal(t, Submission{CategoryID: 42, BucketName: "in-bucket", Paths: []string{"a/one.mp4", "b/two.mov"},
		FileIDs: []int64{1, 2}, Body: []byte(body)}, subs[0])
	assert.Equal(t, []int64{3}, subs[1].FileIDs)
	assert.True(t, subs[2].HTTPDownload)
	assert.Equal(t, map[string]int{"in-bucket/a/one.mp4": 2, "in-bucket/b/two.mov": 1, "https://dl.example/x/clip.mp4": 1}, s.SubmittedPaths())

	// Returned values are copies.
	subs[0].Paths[0] = "changed"
	assert.Equal(t, "a/one.mp4", s.Submissions()[0].Paths[0])
	require.NoError(t, s.WaitIdle(context.Background()))
}

func TestNotificationField(t *testing.T) {
	rc := newReceiver(t)
	s := newTestServer(t, Options{})
	s.AddCategory(Category{ID: 1, Name: "with-cb", NotificationURL: rc.URL + "/category"})

	tests := []struct {
		name      string
		extra     string
		wantURL   string
		wantField string
	}{
		{"category default", ``, rc.URL + "/category", ""},
		{"notification", `,"notification":"` + rc.URL + `/n"`, rc.URL + "/n", "notification"},
		{"notificationUrl", `,"notificationUrl":"` + rc.URL + `/nu"`, rc.URL + "/nu", "notificationUrl"},
		{"both: notification wins", `,"notification":"` + rc.URL + `/n","notificationUrl":"` + rc.URL + `/nu"`, rc.URL + "/n", "notification"},
		{"empty falls back", `,"notification":""`, rc.URL + "/category", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"bucketName":"in-bucket","pathList":["v.mp4"]` + tt.extra + `}`
			status, resp := call(t, s, http.MethodPut, "/api/v2/category/1/add-files", body)
			require.Equal(t, http.StatusOK, status, "%s", resp)
			sub := s.Submissions()[i]
			assert.Equal(t, tt.wantURL, sub.NotificationURL)
			assert.Equal(t, tt.wantField, sub.NotificationField)
		})
	}
}

func TestCallbacksInOrder(t *testing.T) {
	rc := newReceiver(t)
	s := newTestServer(t, Options{})
	s.AddCategory(Category{ID: 13814, Name: "VOD-Callback", OutputBucket: "out-bucket", OutputPath: "/encoded/"})

	body := fmt.Sprintf(`{"bucketName":"in-bucket","pathList":["uploads/Guide720.mp4"],"notification":%q}`, rc.URL)
	status, resp := call(t, s, http.MethodPut, "/api/v2/category/13814/add-files", body)
	require.Equal(t, http.StatusOK, status, "%s", resp)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, s.WaitIdle(ctx))

	got := rc.callbacks()
	link := func(ot string) string {
		return "https://out-bucket.kr.object.ncloudstorage.com/encoded/VOD-Callback/Guide720_" + ot + ".mp4"
	}
	want := []Callback{}
	for _, o := range DefaultEncodingOptions() {
		base := Callback{CategoryID: 13814, CategoryName: "VOD-Callback", FileID: 1, EncodingOptionID: o.ID, OutputType: o.OutputType}
		w := base
		w.Status = StatusWaiting
		r := base
		r.FilePath, r.Status = "uploads/Guide720.mp4", StatusRunning
		c := r
		c.Status, c.Link = StatusComplete, link(o.OutputType)
		want = append(want, w, r, c)
	}
	assert.Equal(t, want, got)

	// The raw body of WAITING has filePath "" and no link.
	raw, err := json.Marshal(got[0])
	require.NoError(t, err)
	assert.JSONEq(t, `{"categoryId":13814,"categoryName":"VOD-Callback","fileId":1,"filePath":"","encodingOptionId":1,"outputType":"AVC_SD_1Pass_30fps","status":"WAITING"}`, string(raw))
}

func TestCallbackFailure(t *testing.T) {
	rc := newReceiver(t)
	s := newTestServer(t, Options{})
	s.AddCategory(Category{ID: 1, Name: "c", NotificationURL: rc.URL,
		EncodingOptions: []EncodingOption{{ID: 3, OutputType: "AVC_HD_1Pass_30fps"}}})

	status, _ := call(t, s, http.MethodPut, "/api/v2/category/1/add-files", `{"bucketName":"in-bucket","pathList":["x/Will-FAIL.mp4"]}`)
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, s.WaitIdle(context.Background()))

	got := rc.callbacks()
	require.Len(t, got, 3)
	assert.Equal(t, []string{StatusWaiting, StatusRunning, StatusFailure}, []string{got[0].Status, got[1].Status, got[2].Status})
	assert.Empty(t, got[2].Link)

	statuses, ok := s.FileStatus(1)
	require.True(t, ok)
	assert.Equal(t, []string{StatusFailure}, statuses)
}

func TestCallbackReceiverFailureIsLoggedNotRetried(t *testing.T) {
	rc := newReceiver(t)
	rc.fail = true
	var (
		mu     sync.Mutex
		logged []string
	)
	s := newTestServer(t, Options{Logf: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, fmt.Sprintf(format, args...))
	}})
	s.AddCategory(Category{ID: 1, Name: "c", NotificationURL: rc.URL, EncodingOptions: []EncodingOption{{ID: 1, OutputType: "X"}}})

	status, _ := call(t, s, http.MethodPut, "/api/v2/category/1/add-files", `{"bucketName":"in-bucket","pathList":["v.mp4"]}`)
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, s.WaitIdle(context.Background()))
	assert.Len(t, rc.callbacks(), 3, "one POST per transition, no retries")
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, strings.Join(logged, "\n"), "receiver answered 500")
}

func TestCallbackDelayAndClose(t *testing.T) {
	rc := newReceiver(t)
	s, err := NewServer(Options{AccessKey: testAK, SecretKey: testSK, Clock: func() time.Time { return fixedNow }, CallbackDelay: time.Hour})
	require.NoError(t, err)
	s.AddCategory(Category{ID: 1, Name: "c", NotificationURL: rc.URL})

	status, _ := call(t, s, http.MethodPut, "/api/v2/category/1/add-files", `{"bucketName":"in-bucket","pathList":["v.mp4"]}`)
	require.Equal(t, http.StatusOK, status)

	// Only the first WAITING callback is sent before the long pause.
	assert.Eventually(t, func() bool { return len(rc.callbacks()) == 1 }, 5*time.Second, 5*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, s.WaitIdle(ctx), context.DeadlineExceeded)

	// The status API shows the state in progress.
	status, body := call(t, s, http.MethodGet, "/api/v2/status/1", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), `"status":"WAITING"`)

	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the pending encoding")
	}
	assert.NoError(t, s.WaitIdle(context.Background()))
	assert.Len(t, rc.callbacks(), 1)
}
