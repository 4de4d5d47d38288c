package vodstation_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

const (
	testAK = "AK_TEST"
	testSK = "SK_TEST_secret_value"
)

// received is what the fake server saw.
type received struct {
	Method, URI, Region, ContentType string
	Body                             []byte
}

// newTestClient starts a server that rejects any request whose signature,
// recomputed from the method and URI it actually received, does not match;
// then it hands valid requests to h.
func newTestClient(t *testing.T, h http.HandlerFunc, opts ...vodstation.Option) (*vodstation.Client, func() []received) {
	t.Helper()
	var mu sync.Mutex
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts := r.Header.Get("x-ncp-apigw-timestamp")
		mac := hmac.New(sha256.New, []byte(testSK))
		fmt.Fprintf(mac, "%s %s\n%s\n%s", r.Method, r.URL.RequestURI(), ts, testAK)
		want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if r.Header.Get("x-ncp-iam-access-key") != testAK || r.Header.Get("x-ncp-apigw-signature-v2") != want {
			w.WriteHeader(401)
			io.WriteString(w, `{"error":{"errorCode":"200","message":"Authentication Failed"}}`)
			t.Errorf("bad signature for %s %s", r.Method, r.URL.RequestURI())
			return
		}
		if ms, err := strconv.ParseInt(ts, 10, 64); err != nil || time.Since(time.UnixMilli(ms)).Abs() > time.Minute {
			t.Errorf("timestamp %q is not now", ts)
		}
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.Method, r.URL.RequestURI(), r.Header.Get("x-ncp-region_code"), r.Header.Get("Content-Type"), body})
		mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	opts = append([]vodstation.Option{vodstation.WithRetry(vodstation.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})}, opts...)
	c, err := vodstation.New(srv.URL, signing.Credentials{AccessKey: testAK, SecretKey: signing.NewSecret(testSK)}, opts...)
	require.NoError(t, err)
	return c, func() []received { mu.Lock(); defer mu.Unlock(); return append([]received(nil), got...) }
}

// categories serves pages of n categories named cat-1..cat-n.
func categories(n int, disabled ...int) http.HandlerFunc {
	off := map[int]bool{}
	for _, d := range disabled {
		off[d] = true
	}
	return func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("pageNo"))
		size, _ := strconv.Atoi(r.URL.Query().Get("pageSizeNo"))
		var content []map[string]any
		for i := (page-1)*size + 1; i <= page*size && i <= n; i++ {
			content = append(content, map[string]any{"id": i, "name": fmt.Sprintf("cat-%d", i), "disabled": off[i]})
		}
		json.NewEncoder(w).Encode(map[string]any{"content": content, "total": n})
	}
}

func TestFindCategoryPagesToPage3Of45(t *testing.T) {
	c, got := newTestClient(t, categories(45*vodstation.DefaultPageSize))
	cat, err := c.FindCategory(context.Background(), "cat-50") // page 3 at size 20
	require.NoError(t, err)
	assert.Equal(t, vodstation.ID("50"), cat.ID)
	calls := got()
	require.Len(t, calls, 3, "stops at the page holding the match")
	for i, call := range calls {
		assert.Equal(t, fmt.Sprintf("/api/v2/category?pageNo=%d&pageSizeNo=20", i+1), call.URI)
		assert.Equal(t, "GET", call.Method)
		assert.Equal(t, "KR", call.Region)
	}
}

func TestFindCategory(t *testing.T) {
	t.Run("skips disabled and finds the enabled twin", func(t *testing.T) {
		h := func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"content":[{"id":"7","name":"vod","disabled":true},{"id":9,"name":"vod"}],"total":2}`)
		}
		c, _ := newTestClient(t, h)
		cat, err := c.FindCategory(context.Background(), "vod")
		require.NoError(t, err)
		assert.Equal(t, vodstation.ID("9"), cat.ID)
	})
	t.Run("not found walks every page", func(t *testing.T) {
		c, got := newTestClient(t, categories(45))
		_, err := c.FindCategory(context.Background(), "nope")
		assert.ErrorIs(t, err, vodstation.ErrCategoryNotFound)
		assert.Contains(t, err.Error(), "looked at 45 categories")
		assert.Len(t, got(), 3)
	})
	t.Run("server caps the page size", func(t *testing.T) {
		h := func(w http.ResponseWriter, r *http.Request) {
			page, _ := strconv.Atoi(r.URL.Query().Get("pageNo"))
			size := 5 // ignores pageSizeNo
			var content []map[string]any
			for i := (page-1)*size + 1; i <= page*size && i <= 12; i++ {
				content = append(content, map[string]any{"id": i, "name": fmt.Sprintf("cat-%d", i)})
			}
			json.NewEncoder(w).Encode(map[string]any{"content": content, "total": 12})
		}
		c, got := newTestClient(t, h)
		cat, err := c.FindCategory(context.Background(), "cat-12")
		require.NoError(t, err)
		assert.Equal(t, vodstation.ID("12"), cat.ID)
		assert.Equal(t, "/api/v2/category?pageNo=3&pageSizeNo=5", got()[2].URI)
	})
	t.Run("empty list", func(t *testing.T) {
		c, _ := newTestClient(t, categories(0))
		_, err := c.FindCategory(context.Background(), "x")
		assert.ErrorIs(t, err, vodstation.ErrCategoryNotFound)
	})
}

func TestAddFilesRequest(t *testing.T) {
	tests := []struct {
		name     string
		req      vodstation.AddFilesRequest
		wantBody string
	}{
		{"plain", vodstation.AddFilesRequest{BucketName: "b", Paths: []string{"in/a.mp4"}},
			`{"bucketName":"b","pathList":["in/a.mp4"]}`},
		{"callback as notificationUrl by default", vodstation.AddFilesRequest{BucketName: "b", Paths: []string{"a.mp4"}, NotificationURL: "https://cb/x?token=t"},
			`{"bucketName":"b","pathList":["a.mp4"],"notificationUrl":"https://cb/x?token=t"}`},
		{"callback field chosen", vodstation.AddFilesRequest{BucketName: "b", Paths: []string{"a.mp4"}, NotificationURL: "https://cb", NotificationField: vodstation.NotificationFieldShort},
			`{"bucketName":"b","pathList":["a.mp4"],"notification":"https://cb"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `{"content":[{"id":1001,"filePath":"`+tt.req.Paths[0]+`"}]}`)
			}
			c, got := newTestClient(t, h, vodstation.WithRegion("SGN"))
			files, err := c.AddFiles(context.Background(), "1234", tt.req)
			require.NoError(t, err)
			assert.Equal(t, []vodstation.AddedFile{{ID: "1001", FilePath: tt.req.Paths[0]}}, files)
			call := got()[0]
			assert.Equal(t, "PUT", call.Method)
			assert.Equal(t, "/api/v2/category/1234/add-files", call.URI)
			assert.Equal(t, "application/json", call.ContentType)
			assert.Equal(t, "SGN", call.Region)
			assert.JSONEq(t, tt.wantBody, string(call.Body))
		})
	}
}

func TestAddFilesMatchesIDsToPaths(t *testing.T) {
	paths := []string{"a.mp4", "b.mp4", "c.mp4"}
	tests := []struct{ name, body string }{
		{"echoed paths in another order", `{"content":[{"id":3,"filePath":"c.mp4"},{"id":1,"filePath":"a.mp4"},{"id":"2","filePath":"b.mp4"}]}`},
		{"by position without paths", `{"content":[{"id":1},{"id":2},{"id":3}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, tt.body) })
			files, err := c.AddFiles(context.Background(), "1", vodstation.AddFilesRequest{BucketName: "b", Paths: paths})
			require.NoError(t, err)
			assert.Equal(t, []vodstation.AddedFile{{ID: "1", FilePath: "a.mp4"}, {ID: "2", FilePath: "b.mp4"}, {ID: "3", FilePath: "c.mp4"}}, files)
		})
	}
}

func TestAddFilesUnreadableSuccessIsOutcomeUnknown(t *testing.T) {
	for name, body := range map[string]string{
		"truncated JSON":  `{"content":[{"id":1`,
		"empty body":      ``,
		"ids missing":     `{"content":[{"filePath":"a.mp4"}]}`,
		"count mismatch":  `{"content":[]}`,
		"not JSON at all": `OK`,
	} {
		t.Run(name, func(t *testing.T) {
			c, got := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
			_, err := c.AddFiles(context.Background(), "1", vodstation.AddFilesRequest{BucketName: "b", Paths: []string{"a.mp4"}})
			require.Error(t, err)
			assert.ErrorIs(t, err, vodstation.ErrOutcomeUnknown)
			assert.Len(t, got(), 1, "never retried")
		})
	}
}

func TestAddFilesValidatesBeforeSending(t *testing.T) {
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("f%d.mp4", i)
	}
	tests := []struct {
		name string
		id   string
		req  vodstation.AddFilesRequest
	}{
		{"no category", "", vodstation.AddFilesRequest{BucketName: "b", Paths: []string{"a"}}},
		{"no bucket", "1", vodstation.AddFilesRequest{Paths: []string{"a"}}},
		{"no paths", "1", vodstation.AddFilesRequest{BucketName: "b"}},
		{"101 paths", "1", vodstation.AddFilesRequest{BucketName: "b", Paths: many}},
		{"empty path", "1", vodstation.AddFilesRequest{BucketName: "b", Paths: []string{"a", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, got := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {})
			_, err := c.AddFiles(context.Background(), tt.id, tt.req)
			assert.Error(t, err)
			assert.Empty(t, got())
		})
	}
}

func TestAPIErrorDecoding(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		status                  int
		wantCode, wantMsg       string
		wantText                string
	}{
		{"gateway string code", "application/json", `{"error":{"errorCode":"210","message":"Permission Denied"}}`, 401, "210", "Permission Denied",
			"GET /api/v2/category: HTTP 401 Unauthorized, NCP code 210: Permission Denied"},
		{"numeric code, old shape", "application/json", `{"error":{"code":260004,"message":"resource not found","details":"category 9"}}`, 404, "260004", "resource not found",
			"GET /api/v2/category: HTTP 404 Not Found, NCP code 260004: resource not found (category 9)"},
		{"top-level fields", "application/json", `{"errorCode":"410","message":"Throttle Limited"}`, 429, "410", "Throttle Limited", ""},
		{"details object", "application/json", `{"error":{"errorCode":"260002","message":"bad input","details":{"field":"pathList"}}}`, 400, "260002", "bad input",
			`GET /api/v2/category: HTTP 400 Bad Request, NCP code 260002: bad input ({"field":"pathList"})`},
		{"HTML from the gateway", "text/html; charset=utf-8", "<html><head><title>401 Authorization Required</title></head><body><h1>nope</h1></body></html>", 401, "",
			"text/html response: 401 Authorization Required", ""},
		{"plain text", "text/plain", "Please try again in a few minutes.\n", 503, "", "text/plain response: Please try again in a few minutes.", ""},
		{"empty body", "", "", 502, "", "empty response body", "GET /api/v2/category: HTTP 502 Bad Gateway: empty response body"},
		{"JSON without fields", "application/json", `{"oops":true}`, 500, "", `JSON error body without a message: {"oops":true}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}, vodstation.WithRetry(vodstation.RetryPolicy{MaxAttempts: 1}))
			_, err := c.ListCategories(context.Background(), 1, 20)
			var apiErr *vodstation.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.Equal(t, tt.wantMsg, apiErr.Message)
			if tt.wantText != "" {
				assert.Equal(t, tt.wantText, apiErr.Error())
			}
			assert.NotContains(t, err.Error(), testSK)
			assert.NotContains(t, err.Error(), "x-ncp")
		})
	}
}

// sequenceHandler answers with the given statuses in turn, then 200 with ok.
func sequenceHandler(ok string, statuses ...int) (http.HandlerFunc, *atomic.Int32) {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(statuses) {
			w.WriteHeader(statuses[i])
			fmt.Fprintf(w, `{"error":{"errorCode":"%d","message":"nope"}}`, statuses[i])
			return
		}
		io.WriteString(w, ok)
	}, &n
}

func TestRetries(t *testing.T) {
	const list = `{"content":[],"total":0}`
	const added = `{"content":[{"id":1}]}`
	tests := []struct {
		name      string
		op        string // "list" or "add"
		statuses  []int
		wantCalls int32
		wantErr   bool
	}{
		{"GET retried on 503 then succeeds", "list", []int{503}, 2, false},
		{"GET retried on 429, 500, 502", "list", []int{429, 500, 502}, 4, false},
		{"GET not retried on 401", "list", []int{401}, 1, true},
		{"GET gives up after max attempts", "list", []int{503, 503, 503, 503, 503, 503}, 5, true},
		{"add-files not retried on 500", "add", []int{500}, 1, true},
		{"add-files not retried on 502", "add", []int{502}, 1, true},
		{"add-files not retried on 504", "add", []int{504}, 1, true},
		{"add-files retried on 429", "add", []int{429, 429, 429}, 4, false},
		{"add-files not retried on 400", "add", []int{400}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok := list
			if tt.op == "add" {
				ok = added
			}
			h, n := sequenceHandler(ok, tt.statuses...)
			c, _ := newTestClient(t, h)
			var err error
			if tt.op == "add" {
				_, err = c.AddFiles(context.Background(), "1", vodstation.AddFilesRequest{BucketName: "b", Paths: []string{"a.mp4"}})
			} else {
				_, err = c.ListCategories(context.Background(), 1, 20)
			}
			assert.Equal(t, tt.wantErr, err != nil, "err = %v", err)
			assert.Equal(t, tt.wantCalls, n.Load())
		})
	}
}

func TestRetryNeverPastDeadline(t *testing.T) {
	h, n := sequenceHandler(`{}`, 503, 503, 503, 503)
	c, _ := newTestClient(t, h, vodstation.WithRetry(vodstation.RetryPolicy{MaxAttempts: 10, BaseDelay: time.Second, MaxDelay: time.Second}))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.ListCategories(ctx, 1, 20)
	var apiErr *vodstation.APIError
	require.ErrorAs(t, err, &apiErr, "the API's own error survives, not a bare context error")
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Contains(t, err.Error(), "no time left to retry")
	assert.Equal(t, int32(1), n.Load())
	assert.NoError(t, ctx.Err(), "gave up before the deadline instead of sleeping into it")
}

func TestTransportErrors(t *testing.T) {
	t.Run("connection refused: add-files retried, then unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		ln.Close()
		c, err := vodstation.New("http://"+addr, signing.Credentials{AccessKey: testAK, SecretKey: signing.NewSecret(testSK)},
			vodstation.WithRetry(vodstation.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
		require.NoError(t, err)
		_, err = c.AddFiles(context.Background(), "1", vodstation.AddFilesRequest{BucketName: "b", Paths: []string{"a.mp4"}})
		var te *vodstation.TransportError
		require.ErrorAs(t, err, &te)
		assert.True(t, te.NotSent())
		assert.NotErrorIs(t, err, vodstation.ErrOutcomeUnknown)
		assert.Contains(t, err.Error(), "connection refused")
	})
	t.Run("connection dropped after sending: add-files not retried", func(t *testing.T) {
		var n atomic.Int32
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		})
		_, err := c.AddFiles(context.Background(), "1", vodstation.AddFilesRequest{BucketName: "b", Paths: []string{"a.mp4"}})
		assert.ErrorIs(t, err, vodstation.ErrOutcomeUnknown)
		assert.Equal(t, int32(1), n.Load())
	})
	t.Run("connection dropped: list retried", func(t *testing.T) {
		var n atomic.Int32
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
				return
			}
			io.WriteString(w, `{"content":[],"total":0}`)
		})
		_, err := c.ListCategories(context.Background(), 1, 20)
		require.NoError(t, err)
		assert.Equal(t, int32(2), n.Load())
	})
}

func TestFreshTimestampPerAttempt(t *testing.T) {
	var stamps []string
	var mu sync.Mutex
	h, _ := sequenceHandler(`{"content":[],"total":0}`, 503, 503)
	base := time.Now()
	var ticks atomic.Int64
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		stamps = append(stamps, r.Header.Get("x-ncp-apigw-timestamp"))
		mu.Unlock()
		h(w, r)
	}, vodstation.WithClock(func() time.Time { return base.Add(time.Duration(ticks.Add(1)) * time.Second) }))
	_, err := c.ListCategories(context.Background(), 1, 20)
	require.NoError(t, err)
	require.Len(t, stamps, 3)
	assert.NotEqual(t, stamps[0], stamps[1])
	assert.NotEqual(t, stamps[1], stamps[2])
}

func TestNewValidates(t *testing.T) {
	creds := signing.Credentials{AccessKey: "a", SecretKey: signing.NewSecret("s")}
	_, err := vodstation.New("https://x", signing.Credentials{AccessKey: "a"})
	assert.ErrorIs(t, err, signing.ErrMissingCredentials)
	for _, bad := range []string{"", "vodstation.apigw.ntruss.com", "ftp://x", "https://"} {
		_, err := vodstation.New(bad, creds)
		assert.Error(t, err, bad)
	}
	_, err = vodstation.New(vodstation.DefaultBaseURL, creds)
	assert.NoError(t, err)
}
