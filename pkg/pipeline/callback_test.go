package pipeline_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/pipeline"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webaction"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

const (
	cbAK      = "callback-test-access-key"
	cbSK      = "callback-test-secret-key-0123456789"
	cbToken   = "callback-test-token-0123456789"
	cbSecret  = "callback-test-webhook-secret-0123"
	cbEdge    = "demo.edge.naverncp.com"
	cbEncrypt = "enc0123abc"
)

// loop is an emulator with a category and a channel, a webhook receiver,
// and the parameters the callback action gets.
type loop struct {
	vod      *vodstationtest.Server
	cat      vodstationtest.Category
	channel  vodstationtest.Channel
	receiver *webhooktest.Receiver
	params   map[string]any
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
	l.channel = vod.AddChannel(vodstationtest.Channel{Name: "movies", StorageBucketName: "out-bucket",
		EncryptedBucketName: cbEncrypt, CDNDomain: cbEdge, ProtocolList: []string{"HLS", "DASH"}})
	l.params = map[string]any{
		"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": vod.URL,
		"CALLBACK_TOKEN": cbToken, "WEBHOOK_URL": l.receiver.URL + "/hook", "WEBHOOK_SECRET": cbSecret,
		"CHANNEL_ID": l.channel.ID,
	}
	return l
}

// request is the raw-HTTP web action parameters for a POST of body.
func (l *loop) request(query, body string, extra map[string]any) []byte {
	p := map[string]any{}
	for k, v := range l.params {
		p[k] = v
	}
	p["__ow_method"] = "post"
	p["__ow_headers"] = map[string]string{"content-type": "application/json"}
	p["__ow_path"] = ""
	p["__ow_query"] = query
	p["__ow_body"] = body
	for k, v := range extra {
		if v == nil {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	b, _ := json.Marshal(p)
	return b
}

type answer struct {
	OK       bool   `json:"ok"`
	Error    string `json:"error"`
	FileID   string `json:"file_id"`
	Events   []struct{ ID, Type string }
	Playback *webhook.Playback
	Notified *pipeline.NotifyResult
	Warnings []string
}

func call(t *testing.T, p *pipeline.Pipeline, params []byte) (int, answer) {
	t.Helper()
	resp, err := p.EncodingCallback(context.Background(), pipeline.NewCallbackInput(params))
	require.NoError(t, err, "the web action answers every problem with a status code")
	var a answer
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &a), resp.Body)
	assert.Equal(t, "application/json", resp.Headers["Content-Type"])
	return resp.StatusCode, a
}

func cbBody(fileID any, status string) string {
	b, _ := json.Marshal(map[string]any{"categoryId": 7, "categoryName": "movies", "fileId": fileID,
		"filePath": "/in/clip.mp4", "encodingOptionId": 1, "outputType": "AVC_SD_1Pass_30fps", "status": status})
	return string(b)
}

func TestCallbackToken(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	body := cbBody(1, "RUNNING")
	tests := []struct {
		name   string
		params []byte
		want   int
	}{
		{"no token", l.request("", body, nil), 401},
		{"wrong token", l.request("token=nope", body, nil), 401},
		{"right token's prefix", l.request("token="+cbToken[:10], body, nil), 401},
		{"token under another name", l.request("secret="+cbToken, body, nil), 401},
		{"right token in the query", l.request("token="+cbToken, body, nil), 200},
		{"right token merged into params", l.request("", body, map[string]any{"token": cbToken}), 200},
		{"right token as the last path segment", l.request("", body, map[string]any{"__ow_path": "/cb/" + cbToken}), 200},
		{"right token in X-Callback-Token", l.request("", body, map[string]any{"__ow_headers": map[string]string{"x-callback-token": cbToken}}), 200},
		{"one wrong, one right", l.request("token=nope&token="+cbToken, body, nil), 200},
		{"CALLBACK_TOKEN unset refuses everything", l.request("token=", body, map[string]any{"CALLBACK_TOKEN": nil}), 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l.vod.ResetCalls()
			before := len(l.receiver.Deliveries())
			p := pipeline.New()
			code, a := call(t, p, tt.params)
			assert.Equal(t, tt.want, code, a.Error)
			if tt.want != 200 {
				assert.False(t, a.OK)
				assert.NotEmpty(t, a.Error)
				assert.Len(t, l.receiver.Deliveries(), before, "a refused callback sends nothing")
				assert.Zero(t, l.vod.CountCalls("", ""), "a refused callback calls no API")
				assert.NotContains(t, a.Error, cbToken)
			} else {
				assert.True(t, a.OK)
				require.Len(t, a.Events, 1)
				assert.Equal(t, webhook.TypeEncodingStarted, a.Events[0].Type)
			}
		})
	}
}

func TestCallbackBodies(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	body := cbBody(42, "RUNNING")
	merged := map[string]any{"__ow_body": nil, "categoryId": 7, "fileId": "42", "status": "running", "encodingOptionId": 1}
	tests := []struct {
		name   string
		params []byte
	}{
		{"raw JSON text", l.request("token="+cbToken, body, nil)},
		{"raw base64", l.request("token="+cbToken, base64.StdEncoding.EncodeToString([]byte(body)), nil)},
		{"object body", l.request("token="+cbToken, "", map[string]any{"__ow_body": json.RawMessage(body)})},
		{"merged into parameters", l.request("", "", mergeMaps(merged, map[string]any{"token": cbToken, "__ow_query": nil}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, a := call(t, pipeline.New(), tt.params)
			require.Equal(t, 200, code, a.Error)
			assert.Equal(t, "42", a.FileID)
			got := l.receiver.Events()
			require.NotEmpty(t, got)
			last := got[len(got)-1]
			assert.Equal(t, webhook.TypeEncodingStarted, last.Type)
			assert.Equal(t, "42", last.FileID)
			assert.Equal(t, webhook.NewID(webhook.TypeEncodingStarted, "42"), last.ID)
		})
	}
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

func TestCallbackBadInput(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	q := "token=" + cbToken
	tests := []struct {
		name     string
		params   []byte
		want     int
		wantText string
	}{
		{"body not JSON", l.request(q, "fileId=1&status=COMPLETE", nil), 400, "body"},
		{"body a JSON array", l.request(q, "[1,2]", nil), 400, "body"},
		{"missing fileId", l.request(q, `{"status":"COMPLETE"}`, nil), 400, "fileId"},
		{"fileId not a number", l.request(q, `{"fileId":"abc","status":"COMPLETE"}`, nil), 400, "fileId"},
		{"fileId negative", l.request(q, `{"fileId":-3,"status":"COMPLETE"}`, nil), 400, "fileId"},
		{"fileId an object", l.request(q, `{"fileId":{"a":1},"status":"COMPLETE"}`, nil), 400, "fileId"},
		{"missing status", l.request(q, `{"fileId":1}`, nil), 400, "status"},
		{"unknown status", l.request(q, `{"fileId":1,"status":"DONE"}`, nil), 400, "status"},
		{"status a number", l.request(q, `{"fileId":1,"status":3}`, nil), 400, "status"},
		{"filePath a number", l.request(q, `{"fileId":1,"status":"RUNNING","filePath":5}`, nil), 400, "filePath"},
		{"encodingOptionId a string", l.request(q, `{"fileId":1,"status":"RUNNING","encodingOptionId":"HD"}`, nil), 400, "encodingOptionId"},
		{"__ow_body a number", l.request(q, "", map[string]any{"__ow_body": 5}), 400, "__ow_body"},
		{"GET", l.request(q, cbBody(1, "RUNNING"), map[string]any{"__ow_method": "get"}), 405, "GET"},
		{"VERIFY_STATUS not a bool", l.request(q, cbBody(1, "RUNNING"), map[string]any{"VERIFY_STATUS": "maybe"}), 500, "VERIFY_STATUS"},
		{"WEBHOOK_URL without a secret", l.request(q, cbBody(1, "RUNNING"), map[string]any{"WEBHOOK_SECRET": nil}), 500, "WEBHOOK_SECRET"},
		{"bad PLAYBACK_PROTOCOLS", l.request(q, cbBody(1, "RUNNING"), map[string]any{"PLAYBACK_PROTOCOLS": "HLS,RTMP"}), 500, "PLAYBACK_PROTOCOLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(l.receiver.Deliveries())
			code, a := call(t, pipeline.New(), tt.params)
			assert.Equal(t, tt.want, code, a.Error)
			assert.Contains(t, a.Error, tt.wantText)
			assert.Len(t, l.receiver.Deliveries(), before)
		})
	}
}

// inProcessGateway is an HTTP server that hands each request to the
// handler as the platform would (raw HTTP) — one warm container.
func inProcessGateway(t *testing.T, p *pipeline.Pipeline, params map[string]any) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := webaction.FromHTTP(r, "/cb")
		require.NoError(t, err)
		b, _ := json.Marshal(mergeMaps(params, req))
		resp, err := p.EncodingCallback(r.Context(), pipeline.NewCallbackInput(b))
		require.NoError(t, err)
		out, _ := json.Marshal(resp)
		webaction.Write(w, out)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestCallbackLoop submits a file and lets the emulator's per-option
// callbacks (sequential) reach one warm callback handler: the receiver gets
// submitted, one encoding_started, a rendition_complete per option with
// playback URLs from the channel, and exactly one file_complete.
func TestCallbackLoop(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	gw := inProcessGateway(t, pipeline.New(), l.params)

	res, err := pipeline.New().AddFiles(context.Background(), addInput(t, l, "in/my clip.mp4", gw.URL+"/cb?token="+cbToken))
	require.NoError(t, err)
	require.Len(t, res.Files, 1)
	fileID := res.Files[0].FileID
	require.NotNil(t, res.Notified)
	assert.Len(t, res.Notified.Sent, 1)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, l.vod.WaitIdle(ctx))
	// submitted is sent when add-files has its answer, and the emulator's
	// first callback may come before that: receivers must not rely on the
	// order between submitted and the encoding events.
	var types []string
	var sub webhook.Event
	var evs []webhook.Event
	for _, ev := range l.receiver.Events() {
		assert.Equal(t, fileID, ev.FileID)
		if ev.Type == webhook.TypeSubmitted {
			sub = ev
			continue
		}
		evs = append(evs, ev)
		types = append(types, ev.Type)
	}
	assert.Equal(t, []string{"encoding_started", "rendition_complete", "rendition_complete", "file_complete"}, types)

	assert.Equal(t, "in-bucket", sub.BucketName)
	assert.Equal(t, "in/my clip.mp4", sub.Key)
	assert.Equal(t, webhook.NewID(webhook.TypeSubmitted, fileID), sub.ID)

	base := "https://" + cbEdge + "/%s/" + cbEncrypt + "/encoded/movies/my%%20clip_%s.mp4/%s"
	for i, typ := range []string{"AVC_SD_1Pass_30fps", "AVC_HD_1Pass_30fps"} {
		r := evs[1+i].Rendition
		require.NotNil(t, r)
		assert.Equal(t, typ, r.OutputType)
		require.NotNil(t, r.Playback, "playback from the channel")
		assert.Equal(t, fmt.Sprintf(base, "hls", typ, "index.m3u8"), r.Playback.HLS)
		assert.Equal(t, fmt.Sprintf(base, "dash", typ, "manifest.mpd"), r.Playback.DASH)
	}
	fc := evs[3]
	assert.Equal(t, webhook.NewID(webhook.TypeFileComplete, fileID), fc.ID)
	require.Len(t, fc.Renditions, 2)
	require.NotNil(t, fc.Playback)
	assert.Equal(t, fmt.Sprintf(base, "hls", "AVC_SD_1Pass_30fps", "index.m3u8"), fc.Playback.HLS)
	assert.Equal(t, "in/my clip.mp4", fc.Key)
	for _, d := range l.receiver.Deliveries() {
		assert.True(t, d.Verified, "every delivery is signed: %v", d.Err)
	}
	assert.Equal(t, 1, l.vod.CountCalls(http.MethodGet, "/api/v2/channels"), "the channel is looked up once per warm container")
}

func addInput(t *testing.T, l *loop, key, notify string) pipeline.AddFilesInput {
	t.Helper()
	b, _ := json.Marshal(map[string]any{
		"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": l.vod.URL,
		"WEBHOOK_URL": l.receiver.URL, "WEBHOOK_SECRET": cbSecret, "NOTIFICATION_URL": notify,
		"category_id": l.cat.ID, "bucket_name": "in-bucket", "file_name": key,
	})
	var in pipeline.AddFilesInput
	require.NoError(t, json.Unmarshal(b, &in))
	return in
}

// TestCallbackFailure: a "fail" file's renditions give encoding_failed,
// never file_complete.
func TestCallbackFailure(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	gw := inProcessGateway(t, pipeline.New(), l.params)
	res, err := pipeline.New().AddFiles(context.Background(), addInput(t, l, "in/will-fail.mp4", gw.URL+"/cb?token="+cbToken))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, l.vod.WaitIdle(ctx))
	failed := l.receiver.EventsOf(webhook.TypeEncodingFailed)
	require.Len(t, failed, 2)
	assert.Equal(t, res.Files[0].FileID, failed[0].FileID)
	require.NotNil(t, failed[0].Error)
	assert.Contains(t, failed[0].Error.Message, "FAILURE")
	assert.Empty(t, l.receiver.EventsOf(webhook.TypeFileComplete))
	assert.Empty(t, l.receiver.EventsOf(webhook.TypeRenditionComplete))
}

// TestCallbackDuplicates: the same final callback handled twice by one
// container is sent once; handled by two containers at once it is sent
// twice with the same event ids.
func TestCallbackDuplicates(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	res, err := pipeline.New().AddFiles(context.Background(), addInput(t, l, "in/dup.mp4", ""))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, l.vod.WaitIdle(ctx)) // encoded; no callback URL
	fileID := res.Files[0].FileID
	last := `{"categoryId":` + jsonNum(l.cat.ID) + `,"fileId":` + fileID + `,"filePath":"in/dup.mp4","encodingOptionId":2,"outputType":"AVC_HD_1Pass_30fps","status":"COMPLETE","link":"https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/dup_AVC_HD_1Pass_30fps.mp4"}`
	req := l.request("token="+cbToken, last, nil)

	warm := pipeline.New()
	code, a := call(t, warm, req)
	require.Equal(t, 200, code, a.Error)
	require.Len(t, a.Events, 2)
	code, a2 := call(t, warm, req)
	require.Equal(t, 200, code)
	assert.Equal(t, a.Events, a2.Events, "the same events, by id")
	assert.Len(t, l.receiver.EventsOf(webhook.TypeFileComplete), 1, "a warm container does not send an event twice")

	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = pipeline.New().EncodingCallback(context.Background(), pipeline.NewCallbackInput(req))
		}()
	}
	wg.Wait()
	fcs := l.receiver.EventsOf(webhook.TypeFileComplete)
	require.Len(t, fcs, 3)
	for _, ev := range fcs {
		assert.Equal(t, webhook.NewID(webhook.TypeFileComplete, fileID), ev.ID, "concurrent duplicates carry the same id")
	}
}

func jsonNum(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestCallbackVerifyStatus(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour}) // stays WAITING
	res, err := pipeline.New().AddFiles(context.Background(), addInput(t, l, "in/v.mp4", ""))
	require.NoError(t, err)
	fileID := res.Files[0].FileID
	verify := map[string]any{"VERIFY_STATUS": "true"}
	q := "token=" + cbToken

	code, a := call(t, pipeline.New(), l.request(q, cbBody(999999, "COMPLETE"), verify))
	assert.Equal(t, 409, code)
	assert.Contains(t, a.Error, "no file 999999")

	code, a = call(t, pipeline.New(), l.request(q, cbBody(fileID, "COMPLETE"), verify))
	assert.Equal(t, 409, code, "the file is in another category")
	assert.Contains(t, a.Error, "belongs to category")

	code, a = call(t, pipeline.New(), l.request(q, strings.Replace(cbBody(fileID, "COMPLETE"), `"categoryId":7`, `"categoryId":`+jsonNum(l.cat.ID), 1), verify))
	assert.Equal(t, 409, code, "the API says WAITING")
	assert.Contains(t, a.Error, "WAITING")
	assert.Empty(t, l.receiver.EventsOf(webhook.TypeRenditionComplete), "an unconfirmed callback sends nothing")

	code, _ = call(t, pipeline.New(), l.request(q, cbBody(fileID, "RUNNING"), verify))
	assert.Equal(t, 200, code, "only final statuses are confirmed")

	l.vod.InjectFault(vodstationtest.Unavailable(http.MethodGet, "/api/v2/status", 100))
	code, a = call(t, pipeline.New(), l.request(q, cbBody(fileID, "FAILURE"), verify))
	assert.Equal(t, 502, code)
	assert.Contains(t, a.Error, "could not confirm")
}

func TestCallbackVerifyStatusConfirms(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	res, err := pipeline.New().AddFiles(context.Background(), addInput(t, l, "in/ok.mp4", ""))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, l.vod.WaitIdle(ctx))
	body := `{"categoryId":` + jsonNum(l.cat.ID) + `,"fileId":` + res.Files[0].FileID + `,"encodingOptionId":1,"outputType":"AVC_SD_1Pass_30fps","status":"COMPLETE"}`
	code, a := call(t, pipeline.New(), l.request("token="+cbToken, body, map[string]any{"VERIFY_STATUS": true}))
	require.Equal(t, 200, code, a.Error)
	require.NotNil(t, a.Playback, "the link comes from the status API when the callback has none")
	assert.Contains(t, a.Playback.HLS, "/hls/"+cbEncrypt+"/encoded/movies/ok_AVC_SD_1Pass_30fps.mp4/index.m3u8")
}

// TestCallbackPlaybackFromParams builds URLs from PLAYBACK_DOMAIN and
// ENCRYPTED_BUCKET_NAME without any API call.
func TestCallbackPlaybackFromParams(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	body := `{"fileId":5,"encodingOptionId":1,"outputType":"AVC_SD_1Pass_30fps","status":"COMPLETE","link":"https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/a_AVC_SD_1Pass_30fps.mp4"}`
	params := l.request("token="+cbToken, body, map[string]any{
		"CHANNEL_ID": nil, "PLAYBACK_DOMAIN": "https://cdn.example.com/", "ENCRYPTED_BUCKET_NAME": "xyz",
		"NCLOUD_ACCESS_KEY": nil, // no API: file_complete cannot be judged, said in a warning
	})
	code, a := call(t, pipeline.New(), params)
	require.Equal(t, 200, code, a.Error)
	require.NotNil(t, a.Playback)
	assert.Equal(t, "https://cdn.example.com/hls/xyz/encoded/movies/a_AVC_SD_1Pass_30fps.mp4/index.m3u8", a.Playback.HLS)
	assert.Empty(t, a.Playback.DASH, "HLS only unless PLAYBACK_PROTOCOLS or the channel says DASH")
	assert.Zero(t, l.vod.CountCalls("", ""))
	assert.NotEmpty(t, a.Warnings)
}

// TestCallbackReceiverDown: the callback is still answered 200; the failed
// delivery is reported in the answer and logged.
func TestCallbackReceiverDown(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	l.receiver.FailWith(http.StatusServiceUnavailable)
	line, _ := json.Marshal(map[string]any{"value": json.RawMessage(l.request("token="+cbToken, cbBody(3, "RUNNING"), nil))})
	var out, logs bytes.Buffer
	err := action.Serve(context.Background(), action.Options{Name: "encoding-callback", In: bytes.NewReader(append(line, '\n')), Out: &out, Log: &logs},
		pipeline.New(pipeline.WithWebhookOptions(webhook.WithRetry(2, time.Millisecond, time.Millisecond))).EncodingCallback)
	require.NoError(t, err)
	var resp webaction.Response
	require.NoError(t, json.Unmarshal(out.Bytes(), &resp))
	assert.Equal(t, 200, resp.StatusCode)
	var a answer
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &a))
	require.NotNil(t, a.Notified)
	assert.Equal(t, []string{webhook.NewID(webhook.TypeEncodingStarted, "3")}, a.Notified.Failed)
	assert.Contains(t, logs.String(), "webhook_failed")
	assert.Contains(t, logs.String(), `"receiver_status":503`)
	assert.Len(t, l.receiver.Deliveries(), 2, "retried within the deadline")
	assert.NotContains(t, logs.String()+out.String(), cbSecret)
	assert.NotContains(t, logs.String()+out.String(), cbToken)
	assert.NotContains(t, logs.String()+out.String(), cbSK)
}

// TestSubmitFailed: a submission that fails after its retries sends
// submit_failed with the bucket, key and error.
func TestSubmitFailed(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	l.vod.InjectFault(vodstationtest.InternalError(http.MethodPut, "/api/v2/category/", 1))
	_, err := pipeline.New().AddFiles(context.Background(), addInput(t, l, "in/lost.mp4", ""))
	require.Error(t, err)
	evs := l.receiver.EventsOf(webhook.TypeSubmitFailed)
	require.Len(t, evs, 1)
	ev := evs[0]
	assert.Equal(t, "in-bucket", ev.BucketName)
	assert.Equal(t, "in/lost.mp4", ev.Key)
	assert.Equal(t, []string{"in/lost.mp4"}, ev.NotSubmitted)
	require.NotNil(t, ev.Error)
	assert.Equal(t, 500, ev.Error.Status)
	assert.NotEmpty(t, ev.Error.Message)
	assert.Empty(t, l.receiver.EventsOf(webhook.TypeSubmitted))
}

// TestLookupFailureSendsSubmitFailed: an upload whose category cannot be
// found is reported, not lost.
func TestLookupFailureSendsSubmitFailed(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	b, _ := json.Marshal(map[string]any{
		"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": l.vod.URL,
		"WEBHOOK_URL": l.receiver.URL, "WEBHOOK_SECRET": cbSecret,
		"CATEGORY_NAME": "no-such-category", "BUCKET_NAME": "in-bucket", "object_name": "in/orphan.mp4",
	})
	var in pipeline.LookupInput
	require.NoError(t, json.Unmarshal(b, &in))
	_, err := pipeline.New().LookupCategory(context.Background(), in)
	require.Error(t, err)
	evs := l.receiver.EventsOf(webhook.TypeSubmitFailed)
	require.Len(t, evs, 1)
	assert.Equal(t, "in/orphan.mp4", evs[0].Key)
	assert.Equal(t, "in-bucket", evs[0].BucketName)
	assert.Equal(t, "category_not_found", evs[0].Error.Code)

	// A bad event is reported too, with the field it names.
	b, _ = json.Marshal(map[string]any{
		"WEBHOOK_URL": l.receiver.URL, "WEBHOOK_SECRET": cbSecret, "CATEGORY_NAME": "movies",
		"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "object_name": 12,
	})
	in = pipeline.LookupInput{}
	require.NoError(t, json.Unmarshal(b, &in))
	_, err = pipeline.New().LookupCategory(context.Background(), in)
	require.Error(t, err)
	evs = l.receiver.EventsOf(webhook.TypeSubmitFailed)
	require.Len(t, evs, 2)
	assert.Contains(t, evs[1].Error.Message, "object_name")
}
