package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// The site server's endpoints, without a browser: what the example page's
// own server does for it.

func TestSiteUploadsAddsTheTokenAndPassesTheAnswerBack(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		answer     string
		wantStatus int
		wantBody   string
	}{
		{"an upload", 200, `{"upload_id":"up_a","key":"uploads/up_a/a.mp4","url":"http://bucket/x","method":"PUT","headers":{"Content-Type":"video/mp4"}}`, 200,
			`{"upload_id":"up_a","key":"uploads/up_a/a.mp4","url":"http://bucket/x","method":"PUT","headers":{"Content-Type":"video/mp4"}}`},
		{"a refusal, as is", 413, `{"error":{"message":"size 9 GB is over the limit"}}`, 413, `{"error":{"message":"size 9 GB is over the limit"}}`},
		{"not JSON", 502, `web action upload-url: exit status 1`, 502, `{"error":{"message":"upload-url answered HTTP 502 without JSON"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var got *http.Request
			var gotBody string
			action := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				got, gotBody = r.Clone(context.Background()), string(b)
				mu.Unlock()
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.answer)
			}))
			defer action.Close()
			s := &site{dir: t.TempDir(), uploadURL: action.URL + uploadURLPrefix, token: "site-upload-token", client: action.Client()}
			page := httptest.NewServer(s.handler())
			defer page.Close()

			resp, err := http.Post(page.URL+"/api/uploads", "application/json", strings.NewReader(`{"filename":"a.mp4","content_type":"video/mp4","size":9}`))
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.JSONEq(t, tt.wantBody, string(body))
			assert.NotContains(t, string(body), "site-upload-token", "the page never sees the token")

			mu.Lock()
			defer mu.Unlock()
			require.NotNil(t, got)
			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, uploadURLPrefix, got.URL.Path)
			assert.Equal(t, "Bearer site-upload-token", got.Header.Get("Authorization"))
			assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
			assert.JSONEq(t, `{"filename":"a.mp4","content_type":"video/mp4","size":9}`, gotBody, "the page's request, unchanged")
		})
	}
}

func TestSiteUploadsWhenUploadURLIsDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	s := &site{dir: t.TempDir(), uploadURL: down.URL + uploadURLPrefix, token: "site-upload-token", client: http.DefaultClient}
	rec := httptest.NewRecorder()
	s.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/uploads", strings.NewReader(`{}`)))
	assert.Equal(t, http.StatusBadGateway, rec.Code)
	assert.JSONEq(t, `{"error":{"message":"the site could not reach upload-url"}}`, rec.Body.String(), "no address, no token")
}

// readSSE reads server-sent events' data lines until n were read.
func readSSE(t *testing.T, body io.Reader, n int) []siteMessage {
	t.Helper()
	var out []siteMessage
	sc := bufio.NewScanner(body)
	for len(out) < n && sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			var m siteMessage
			require.NoError(t, json.Unmarshal([]byte(d), &m), d)
			out = append(out, m)
		}
	}
	require.Len(t, out, n, "stream ended: %v", sc.Err())
	return out
}

func TestSiteEventsStreamsOneUploadsEventsWithALocalPlayURL(t *testing.T) {
	rcv := webhooktest.NewReceiver("site-webhook-secret")
	defer rcv.Close()
	send, err := webhook.NewSender(rcv.URL, signing.NewSecret("site-webhook-secret"))
	require.NoError(t, err)
	ctx := context.Background()
	const mine, other = "uploads/up_aaaaaaaaaaaaaaaaaaaa/a.mp4", "uploads/up_bbbbbbbbbbbbbbbbbbbb/b.mp4"
	// Before the page follows: the stream starts from the first event.
	require.NoError(t, send.Send(ctx, webhook.Event{ID: "evt_1", Type: webhook.TypeSubmitted, Key: mine, FileID: "1"}))
	require.NoError(t, send.Send(ctx, webhook.Event{ID: "evt_2", Type: webhook.TypeSubmitted, Key: other, FileID: "2"}))

	s := &site{dir: t.TempDir(), receiver: rcv, edge: "http://127.0.0.1:9999"}
	page := httptest.NewServer(s.handler())
	defer page.Close()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(sctx, http.MethodGet, page.URL+"/api/events?key="+mine, nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))

	// After: a failure of another upload, then mine completes, signed.
	require.NoError(t, send.Send(ctx, webhook.Event{ID: "evt_3", Type: webhook.TypeSubmitFailed, NotSubmitted: []string{other}}))
	require.NoError(t, send.Send(ctx, webhook.Event{ID: "evt_5", Type: webhook.TypeSubmitFailed, UploadID: "up_bbbbbbbbbbbbbbbbbbbb"}))
	require.NoError(t, send.Send(ctx, webhook.Event{ID: "evt_4", Type: webhook.TypeFileComplete, Key: mine, FileID: "1",
		Playback: &webhook.Playback{HLS: "https://cdn.example.com/hls/ENC/enc/a_,SD,HD,.mp4.smil/master.m3u8?exp=2&acl=%2A&hmac=ab"}}))
	got := readSSE(t, resp.Body, 2)
	assert.Equal(t, "evt_1", got[0].Event.ID)
	assert.Empty(t, got[0].Play)
	assert.Equal(t, "evt_4", got[1].Event.ID, "only this upload's events, in order")
	assert.Equal(t, "http://127.0.0.1:9999/hls/ENC/enc/a_,SD,HD,.mp4.smil/master.m3u8?exp=2&acl=%2A&hmac=ab", got[1].Play,
		"the same path on the local edge, its signature kept")

	// The other upload, by its upload_id or its key.
	req, _ = http.NewRequestWithContext(sctx, http.MethodGet, page.URL+"/api/events?upload_id=up_bbbbbbbbbbbbbbbbbbbb&key="+other, nil)
	resp2, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp2.Body.Close()
	var ids []string
	for _, m := range readSSE(t, resp2.Body, 3) {
		ids = append(ids, m.Event.ID)
	}
	assert.Equal(t, []string{"evt_2", "evt_3", "evt_5"}, ids, "its key, a key it did not submit, its upload_id")
}

func TestSiteEventsNeedsAnUpload(t *testing.T) {
	s := &site{dir: t.TempDir()}
	rec := httptest.NewRecorder()
	s.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/events", nil))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.JSONEq(t, `{"error":{"message":"name the upload: upload_id or key"}}`, rec.Body.String())
}

func TestLocalWebUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"local", "--web", "--file", "a.mp4"},
		{"local", "--web", "--params", "params.json"},
		{"local", "--web", "--event", `{"object_name":"a.mp4"}`},
		{"local", "--web", "--serve"},
		{"local", "--web", "--json"},
	} {
		_, _, err := runCmd(t, args...)
		var usage *usageError
		require.ErrorAs(t, err, &usage, "%v", args)
		assert.Contains(t, err.Error(), "--web serves the example page", "%v", args)
	}
}
