package callback_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
)

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
		// Only the raw query counts: a token parameter is not a token place.
		{"right token as a token parameter", l.request("", body, map[string]any{"token": cbToken}), 401},
		{"right token as the last path segment", l.request("", body, map[string]any{"__ow_path": "/cb/" + cbToken}), 200},
		{"right token in X-Callback-Token", l.request("", body, map[string]any{"__ow_headers": map[string]string{"x-callback-token": cbToken}}), 200},
		{"one wrong, one right", l.request("token=nope&token="+cbToken, body, nil), 200},
		{"CALLBACK_TOKEN unset refuses everything", l.request("token=", body, map[string]any{"CALLBACK_TOKEN": nil}), 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l.vod.ResetCalls()
			before := len(l.receiver.Deliveries())
			code, a := call(t, callback.New(), tt.params)
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

// TestCallbackMergedRefused: a request whose query and body the platform
// merged into the parameters (a web action deployed without raw HTTP) lets
// the caller set any parameter: the token to compare with, where events go
// and which API confirms them. It is refused with 500 before any call or
// event, whatever token it carries.
func TestCallbackMergedRefused(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	caller := newCallerServer(t)
	const callerToken = "caller-chosen-token-0123456789"
	const callerSecret = "caller-chosen-webhook-secret-0123"
	// What the caller's query and JSON body become once merged.
	callerParams := map[string]any{
		"CALLBACK_TOKEN": callerToken, "token": callerToken,
		"WEBHOOK_URL": caller.URL + "/hook", "WEBHOOK_SECRET": callerSecret, "API_URL": caller.URL,
		"categoryId": 7, "categoryName": "movies", "fileId": 42, "filePath": "in/clip.mp4",
		"encodingOptionId": 1, "outputType": "AVC_SD_1Pass_30fps",
	}
	web := map[string]any{"__ow_method": "post", "__ow_headers": map[string]string{"content-type": "application/json"}, "__ow_path": ""}
	tests := []struct {
		name   string
		params map[string]any
	}{
		{"caller's token, RUNNING", mergeMaps(l.params, web, callerParams, map[string]any{"status": "RUNNING"})},
		{"caller's token, COMPLETE", mergeMaps(l.params, web, callerParams, map[string]any{"status": "COMPLETE"})},
		{"caller's token, COMPLETE with VERIFY_STATUS", mergeMaps(l.params, web, callerParams, map[string]any{"status": "COMPLETE", "VERIFY_STATUS": true})},
		{"caller's token, FAILURE with VERIFY_STATUS", mergeMaps(l.params, web, callerParams, map[string]any{"status": "FAILURE", "VERIFY_STATUS": "true"})},
		{"caller's token in the path", mergeMaps(l.params, web, callerParams, map[string]any{"status": "RUNNING", "token": nil, "__ow_path": "/cb/" + callerToken})},
		{"caller's token in X-Callback-Token", mergeMaps(l.params, web, callerParams, map[string]any{"status": "RUNNING",
			"__ow_headers": map[string]string{"x-callback-token": callerToken}})},
		// Even the right token does not make a merged request safe.
		{"bound token merged, bound destinations", mergeMaps(l.params, web, map[string]any{
			"token": cbToken, "categoryId": 7, "fileId": "42", "status": "running", "encodingOptionId": 1})},
		{"bound token in the path, body merged", mergeMaps(l.params, web, map[string]any{
			"__ow_path": "/cb/" + cbToken, "fileId": 42, "status": "COMPLETE", "encodingOptionId": 1})},
		{"nothing but the merged body", map[string]any{"CALLBACK_TOKEN": cbToken, "token": cbToken, "fileId": 42, "status": "RUNNING"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.params {
				if v == nil {
					delete(tt.params, k)
				}
			}
			require.NotContains(t, tt.params, "__ow_query")
			require.NotContains(t, tt.params, "__ow_body")
			l.vod.ResetCalls()
			before := len(l.receiver.Deliveries())
			b, err := json.Marshal(tt.params)
			require.NoError(t, err)
			code, a := call(t, callback.New(), b)
			assert.Equal(t, http.StatusInternalServerError, code, a.Error)
			assert.False(t, a.OK)
			assert.Contains(t, a.Error, "raw web action")
			assert.Empty(t, a.Events)
			assert.Nil(t, a.Notified)
			assert.NotContains(t, a.Error, callerToken)
			assert.NotContains(t, a.Error, callerSecret)
			assert.NotContains(t, a.Error, cbToken)
			assert.Empty(t, caller.received(), "the caller's server gets no delivery and no API call")
			assert.Len(t, l.receiver.Deliveries(), before, "the real receiver gets nothing")
			assert.Zero(t, l.vod.CountCalls("", ""), "VOD Station gets no call")
		})
	}
}

func TestCallbackBodies(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	body := cbBody(42, "RUNNING")
	tests := []struct {
		name   string
		params []byte
	}{
		{"raw JSON text", l.request("token="+cbToken, body, nil)},
		{"raw base64", l.request("token="+cbToken, base64.StdEncoding.EncodeToString([]byte(body)), nil)},
		{"object body", l.request("token="+cbToken, "", map[string]any{"__ow_body": json.RawMessage(body)})},
		{"body without a query", l.request("", body, map[string]any{"__ow_query": nil, "__ow_path": "/" + cbToken})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, a := call(t, callback.New(), tt.params)
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

// TestCallbackBadInput: a configuration problem (an UPPER_CASE parameter,
// set at deploy time) answers 500 naming the parameter; a problem with the
// request answers 400 naming the field; no message names a Go type; and
// nothing is sent or called.
func TestCallbackBadInput(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	q := "token=" + cbToken
	running := cbBody(1, "RUNNING")
	tests := []struct {
		name     string
		params   []byte
		want     int
		wantText string
	}{
		// The request.
		{"body not JSON", l.request(q, "fileId=1&status=COMPLETE", nil), 400, "body"},
		{"body a JSON array", l.request(q, "[1,2]", nil), 400, "body"},
		{"empty body", l.request(q, "", nil), 400, "body"},
		// Raw (the query is there) without a body: a bad request, never a
		// body read from the other parameters.
		{"no __ow_body", l.request(q, "", map[string]any{"__ow_body": nil, "fileId": 1, "status": "RUNNING"}), 400, "body"},
		{"missing fileId", l.request(q, `{"status":"COMPLETE"}`, nil), 400, "fileId"},
		{"fileId x", l.request(q, `{"fileId":"x","status":"RUNNING"}`, nil), 400, "fileId"},
		{"fileId not a number", l.request(q, `{"fileId":"abc","status":"COMPLETE"}`, nil), 400, "fileId"},
		{"fileId negative", l.request(q, `{"fileId":-3,"status":"COMPLETE"}`, nil), 400, "fileId"},
		{"fileId an object", l.request(q, `{"fileId":{"a":1},"status":"COMPLETE"}`, nil), 400, "fileId"},
		{"fileId true", l.request(q, `{"fileId":true,"status":"COMPLETE"}`, nil), 400, "fileId"},
		{"categoryId a list", l.request(q, `{"fileId":1,"categoryId":[7],"status":"RUNNING"}`, nil), 400, "categoryId"},
		{"missing status", l.request(q, `{"fileId":1}`, nil), 400, "status"},
		{"unknown status", l.request(q, `{"fileId":1,"status":"DONE"}`, nil), 400, "status"},
		{"status a number", l.request(q, `{"fileId":1,"status":3}`, nil), 400, "status"},
		{"filePath a number", l.request(q, `{"fileId":1,"status":"RUNNING","filePath":5}`, nil), 400, "filePath"},
		{"encodingOptionId a string", l.request(q, `{"fileId":1,"status":"RUNNING","encodingOptionId":"HD"}`, nil), 400, "encodingOptionId"},
		{"__ow_body a number", l.request(q, "", map[string]any{"__ow_body": 5}), 400, "__ow_body"},
		{"__ow_query a number", l.request(q, running, map[string]any{"__ow_query": 5}), 400, "__ow_query"},
		{"__ow_headers a string", l.request(q, running, map[string]any{"__ow_headers": "x"}), 400, "__ow_headers"},
		{"__ow_method a list", l.request(q, running, map[string]any{"__ow_method": []string{"post"}}), 400, "__ow_method"},
		{"GET", l.request(q, running, map[string]any{"__ow_method": "get"}), 405, "GET"},
		// The configuration.
		{"VERIFY_STATUS maybe", l.request(q, running, map[string]any{"VERIFY_STATUS": "maybe"}), 500, "VERIFY_STATUS"},
		{"VERIFY_STATUS a list", l.request(q, running, map[string]any{"VERIFY_STATUS": []bool{true}}), 500, "VERIFY_STATUS"},
		{"WEBHOOK_URL without a secret", l.request(q, running, map[string]any{"WEBHOOK_SECRET": nil}), 500, "WEBHOOK_SECRET"},
		{"WEBHOOK_URL not a URL", l.request(q, running, map[string]any{"WEBHOOK_URL": "ftp://example.com/x"}), 500, "WEBHOOK_URL"},
		{"WEBHOOK_URL an object", l.request(q, running, map[string]any{"WEBHOOK_URL": map[string]any{"u": 1}}), 500, "WEBHOOK_URL"},
		{"PLAYBACK_PROTOCOLS RTMP", l.request(q, running, map[string]any{"PLAYBACK_PROTOCOLS": "RTMP"}), 500, "PLAYBACK_PROTOCOLS"},
		{"PLAYBACK_PROTOCOLS HLS,RTMP", l.request(q, running, map[string]any{"PLAYBACK_PROTOCOLS": "HLS,RTMP"}), 500, "PLAYBACK_PROTOCOLS"},
		{"PLAYBACK_PROTOCOLS a number list", l.request(q, running, map[string]any{"PLAYBACK_PROTOCOLS": []int{1}}), 500, "PLAYBACK_PROTOCOLS"},
		{"CALLBACK_TOKEN a number", l.request(q, running, map[string]any{"CALLBACK_TOKEN": 12345}), 500, "CALLBACK_TOKEN"},
		{"CHANNEL_ID an object", l.request(q, running, map[string]any{"CHANNEL_ID": map[string]any{}}), 500, "CHANNEL_ID"},
		{"BUCKET_NAME a number", l.request(q, running, map[string]any{"BUCKET_NAME": 5}), 500, "BUCKET_NAME"},
		{"PLAYBACK_DOMAIN alone", l.request(q, running, map[string]any{"CHANNEL_ID": nil, "PLAYBACK_DOMAIN": "cdn.example.com"}), 500, "ENCRYPTED_BUCKET_NAME"},
		{"VERIFY_STATUS without keys", l.request(q, running, map[string]any{"VERIFY_STATUS": true, "NCLOUD_ACCESS_KEY": nil}), 500, "NCLOUD_ACCESS_KEY"},
		{"VERIFY_STATUS with a bad API_URL", l.request(q, running, map[string]any{"VERIFY_STATUS": true, "API_URL": "not a url"}), 500, "API_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l.vod.ResetCalls()
			before := len(l.receiver.Deliveries())
			code, a := call(t, callback.New(), tt.params)
			assert.Equal(t, tt.want, code, a.Error)
			assert.False(t, a.OK)
			assert.Contains(t, a.Error, tt.wantText)
			assertNoGoTypeName(t, a.Error)
			assert.NotContains(t, a.Error, cbToken)
			assert.NotContains(t, a.Error, cbSK)
			assert.Len(t, l.receiver.Deliveries(), before)
			assert.Zero(t, l.vod.CountCalls("", ""))
		})
	}
}

// TestCallbackLoop submits a file and lets the emulator's per-option
// callbacks (sequential) reach one warm callback handler: the receiver gets
// submitted, one encoding_started, a rendition_complete per option with
// playback URLs from the channel, and exactly one file_complete.
func TestCallbackLoop(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	gw := inProcessGateway(t, callback.New(), l.params)

	res := mustAddFiles(t, l, "in/my clip.mp4", gw.URL+"/cb?token="+cbToken)
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
	require.Equal(t, []string{"encoding_started", "rendition_complete", "ready", "rendition_complete", "file_complete"}, types,
		"ready once: the second rendition's has the same id and the warm container does not send it again")

	assert.Equal(t, "in-bucket", sub.BucketName)
	assert.Equal(t, "in/my clip.mp4", sub.Key)
	assert.Equal(t, webhook.NewID(webhook.TypeSubmitted, fileID), sub.ID)

	assert.Empty(t, evs[0].BucketName, "RUNNING asks no API and BUCKET_NAME is not bound: the bucket is not known")
	for _, ev := range evs[1:] {
		assert.Equal(t, "in-bucket", ev.BucketName, "%s names the bucket from the status API", ev.Type)
	}

	base := "https://" + cbEdge + "/%s/" + cbEncrypt + "/encoded/movies/my%%20clip_%s.mp4/%s"
	for i, typ := range []string{"AVC_SD_1Pass_30fps", "AVC_HD_1Pass_30fps"} {
		r := evs[1+2*i].Rendition
		require.NotNil(t, r)
		assert.Equal(t, typ, r.OutputType)
		require.NotNil(t, r.Playback, "playback from the channel")
		assert.Equal(t, fmt.Sprintf(base, "hls", typ, "index.m3u8"), r.Playback.HLS)
		assert.Equal(t, fmt.Sprintf(base, "dash", typ, "manifest.mpd"), r.Playback.DASH)
	}
	ready := evs[2]
	assert.Equal(t, webhook.NewID(webhook.TypeReady, fileID), ready.ID)
	require.NotNil(t, ready.Playback)
	assert.Equal(t, fmt.Sprintf(base, "hls", "AVC_SD_1Pass_30fps", "index.m3u8"), ready.Playback.HLS, "ready plays the first rendition done")
	fc := evs[4]
	assert.Equal(t, webhook.NewID(webhook.TypeFileComplete, fileID), fc.ID)
	require.Len(t, fc.Renditions, 2)
	require.NotNil(t, fc.Playback)
	abr := "https://" + cbEdge + "/%s/" + cbEncrypt + "/encoded/movies/my%%20clip_,AVC_SD_1Pass_30fps,AVC_HD_1Pass_30fps,.mp4.smil/%s"
	assert.Equal(t, fmt.Sprintf(abr, "hls", "master.m3u8"), fc.Playback.HLS, "one adaptive URL over both renditions")
	assert.Equal(t, fmt.Sprintf(abr, "dash", "manifest.mpd"), fc.Playback.DASH)
	assert.Equal(t, "in/my clip.mp4", fc.Key)
	for _, d := range l.receiver.Deliveries() {
		assert.True(t, d.Verified, "every delivery is signed: %v", d.Err)
	}
	assert.Equal(t, 1, l.vod.CountCalls(http.MethodGet, "/api/v2/channels"), "the channel is looked up once per warm container")
}

// TestCallbackFailure: a "fail" file's renditions give encoding_failed,
// never file_complete.
func TestCallbackFailure(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	gw := inProcessGateway(t, callback.New(), l.params)
	res := mustAddFiles(t, l, "in/will-fail.mp4", gw.URL+"/cb?token="+cbToken)
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
	fileID := encodedFile(t, l, "in/dup.mp4")
	last := `{"categoryId":` + jsonNum(l.cat.ID) + `,"fileId":` + fileID + `,"filePath":"in/dup.mp4","encodingOptionId":2,"outputType":"AVC_HD_1Pass_30fps","status":"COMPLETE","link":"https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/dup_AVC_HD_1Pass_30fps.mp4"}`
	req := l.request("token="+cbToken, last, nil)

	warm := callback.New()
	code, a := call(t, warm, req)
	require.Equal(t, 200, code, a.Error)
	require.Len(t, a.Events, 3)
	code, a2 := call(t, warm, req)
	require.Equal(t, 200, code)
	assert.Equal(t, a.Events, a2.Events, "the same events, by id")
	assert.Len(t, l.receiver.EventsOf(webhook.TypeFileComplete), 1, "a warm container does not send an event twice")

	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, _ = activate(context.Background(), callback.New().Action(), req)
		}()
	}
	wg.Wait()
	fcs := l.receiver.EventsOf(webhook.TypeFileComplete)
	require.Len(t, fcs, 3)
	for _, ev := range fcs {
		assert.Equal(t, webhook.NewID(webhook.TypeFileComplete, fileID), ev.ID, "concurrent duplicates carry the same id")
	}
}

func TestCallbackVerifyStatus(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{CallbackDelay: time.Hour}) // stays WAITING
	res := mustAddFiles(t, l, "in/v.mp4", "")
	fileID := res.Files[0].FileID
	verify := map[string]any{"VERIFY_STATUS": "true"}
	q := "token=" + cbToken

	code, a := call(t, callback.New(), l.request(q, cbBody(999999, "COMPLETE"), verify))
	assert.Equal(t, 409, code)
	assert.Contains(t, a.Error, "no file 999999")
	assert.Equal(t, "999999", a.FileID)
	assert.Equal(t, "COMPLETE", a.Status)

	code, a = call(t, callback.New(), l.request(q, cbBody(fileID, "COMPLETE"), verify))
	assert.Equal(t, 409, code, "the file is in another category")
	assert.Contains(t, a.Error, "belongs to category")

	sameFile := strings.NewReplacer(`"categoryId":7`, `"categoryId":`+jsonNum(l.cat.ID), `"/in/clip.mp4"`, `"in/v.mp4"`)
	code, a = call(t, callback.New(), l.request(q, sameFile.Replace(cbBody(fileID, "COMPLETE")), verify))
	assert.Equal(t, 409, code, "the API says WAITING")
	assert.Contains(t, a.Error, "WAITING")
	assert.Empty(t, l.receiver.EventsOf(webhook.TypeRenditionComplete), "an unconfirmed callback sends nothing")

	code, _ = call(t, callback.New(), l.request(q, cbBody(fileID, "RUNNING"), verify))
	assert.Equal(t, 200, code, "only final statuses are confirmed")

	l.vod.InjectFault(vodstationtest.Unavailable(http.MethodGet, "/api/v2/status", 100))
	code, a = call(t, callback.New(), l.request(q, cbBody(fileID, "FAILURE"), verify))
	assert.Equal(t, 502, code)
	assert.Contains(t, a.Error, "could not confirm")
}

func TestCallbackVerifyStatusConfirms(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	fileID := encodedFile(t, l, "in/ok.mp4")
	body := `{"categoryId":` + jsonNum(l.cat.ID) + `,"fileId":` + fileID + `,"encodingOptionId":1,"outputType":"AVC_SD_1Pass_30fps","status":"COMPLETE"}`
	code, a := call(t, callback.New(), l.request("token="+cbToken, body, map[string]any{"VERIFY_STATUS": true}))
	require.Equal(t, 200, code, a.Error)
	require.NotNil(t, a.Playback, "the link comes from the status API when the callback has none")
	assert.Contains(t, a.Playback.HLS, "/hls/"+cbEncrypt+"/encoded/movies/ok_AVC_SD_1Pass_30fps.mp4/index.m3u8")
	assert.Equal(t, 1, l.vod.CountCalls(http.MethodGet, "/api/v2/status/"), "the file's status is asked once per callback")
}

// TestCallbackVerifyStatusConfirmsAFailure: a FAILURE the status API
// confirms is sent, and neither side having a link is nothing to warn
// about.
func TestCallbackVerifyStatusConfirmsAFailure(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	fileID := encodedFile(t, l, "in/will-fail.mp4")
	body := `{"categoryId":` + jsonNum(l.cat.ID) + `,"fileId":` + fileID + `,"encodingOptionId":1,"outputType":"AVC_SD_1Pass_30fps","status":"FAILURE"}`
	code, a := call(t, callback.New(), l.request("token="+cbToken, body, map[string]any{"VERIFY_STATUS": true}))
	require.Equal(t, 200, code, a.Error)
	assert.Empty(t, a.Warnings)
	require.Len(t, l.receiver.EventsOf(webhook.TypeEncodingFailed), 1)
}

// TestCallbackBucketName: every event names the bucket when it is known:
// from the status API when it was asked (for file_complete, with or
// without VERIFY_STATUS), else from BUCKET_NAME.
func TestCallbackBucketName(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	fileID := encodedFile(t, l, "in/b.mp4")
	body := func(option int, typ, status string) string {
		return `{"categoryId":` + jsonNum(l.cat.ID) + `,"fileId":` + fileID + `,"filePath":"in/b.mp4","encodingOptionId":` + jsonNum(option) +
			`,"outputType":"` + typ + `","status":"` + status + `","link":"https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/b_` + typ + `.mp4"}`
	}
	q := "token=" + cbToken
	// sent is the last delivery of the event id (each call below is a new
	// container, so an id may be delivered again).
	sent := func(id string) webhook.Event {
		t.Helper()
		evs := l.receiver.Events()
		for i := len(evs) - 1; i >= 0; i-- {
			if evs[i].ID == id {
				return evs[i]
			}
		}
		t.Fatalf("event %s not delivered", id)
		return webhook.Event{}
	}
	rc := webhook.NewID(webhook.TypeRenditionComplete, fileID, "1", "AVC_SD_1Pass_30fps",
		"https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/b_AVC_SD_1Pass_30fps.mp4")
	fc := webhook.NewID(webhook.TypeFileComplete, fileID)

	t.Run("COMPLETE without VERIFY_STATUS or BUCKET_NAME", func(t *testing.T) {
		l.vod.ResetCalls()
		code, a := call(t, callback.New(), l.request(q, body(1, "AVC_SD_1Pass_30fps", "COMPLETE"), nil))
		require.Equal(t, 200, code, a.Error)
		require.Len(t, a.Events, 3)
		assert.Equal(t, "in-bucket", sent(rc).BucketName, "rendition_complete names the bucket the status API gave for file_complete")
		assert.Equal(t, "in-bucket", sent(fc).BucketName)
		assert.Equal(t, 1, l.vod.CountCalls(http.MethodGet, "/api/v2/status/"), "asked once for both events")
	})

	t.Run("BUCKET_NAME when the status API is not asked", func(t *testing.T) {
		l.vod.ResetCalls()
		bucket := map[string]any{"BUCKET_NAME": " configured-bucket "}
		code, a := call(t, callback.New(), l.request(q, body(1, "AVC_SD_1Pass_30fps", "RUNNING"), bucket))
		require.Equal(t, 200, code, a.Error)
		assert.Equal(t, "configured-bucket", sent(webhook.NewID(webhook.TypeEncodingStarted, fileID)).BucketName)
		assert.Zero(t, l.vod.CountCalls("", ""), "RUNNING asks no API")
		code, a = call(t, callback.New(), l.request(q, body(2, "AVC_HD_1Pass_30fps", "FAILURE"), bucket))
		require.Equal(t, 200, code, a.Error)
		assert.Equal(t, "in-bucket", sent(webhook.NewID(webhook.TypeEncodingFailed, fileID, "2")).BucketName,
			"FAILURE reads the status once, for VOD Station's reason, and so knows the bucket")
		assert.Equal(t, 1, l.vod.CountCalls("", ""), "one status read for the failure reason")
		code, a = call(t, callback.New(), l.request(q, body(2, "AVC_HD_1Pass_30fps", "FAILURE"), mergeMaps(bucket, map[string]any{"NCLOUD_ACCESS_KEY": nil, "CHANNEL_ID": nil})))
		require.Equal(t, 200, code, a.Error)
		assert.Equal(t, "configured-bucket", sent(webhook.NewID(webhook.TypeEncodingFailed, fileID, "2")).BucketName, "without API keys: BUCKET_NAME")
		assert.Equal(t, 1, l.vod.CountCalls("", ""), "without API keys no call")
	})

	t.Run("the status API wins over BUCKET_NAME", func(t *testing.T) {
		before := len(l.receiver.Deliveries())
		code, a := call(t, callback.New(), l.request(q, body(1, "AVC_SD_1Pass_30fps", "COMPLETE"), map[string]any{"BUCKET_NAME": "configured-bucket"}))
		require.Equal(t, 200, code, a.Error)
		require.Len(t, l.receiver.Deliveries(), before+3)
		assert.Equal(t, "in-bucket", sent(rc).BucketName)
		assert.Equal(t, "in-bucket", sent(fc).BucketName)
	})
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
	code, a := call(t, callback.New(), params)
	require.Equal(t, 200, code, a.Error)
	require.NotNil(t, a.Playback)
	assert.Equal(t, "https://cdn.example.com/hls/xyz/encoded/movies/a_AVC_SD_1Pass_30fps.mp4/index.m3u8", a.Playback.HLS)
	assert.Empty(t, a.Playback.DASH, "HLS only unless PLAYBACK_PROTOCOLS or the channel says DASH")
	assert.Zero(t, l.vod.CountCalls("", ""))
	assert.NotEmpty(t, a.Warnings)

	// CHANNEL_ID bound as well, but no API to read it: the domain and the
	// bucket still give URLs, for HLS (the channel's protocols are unknown).
	params = l.request("token="+cbToken, body, map[string]any{
		"PLAYBACK_DOMAIN": "cdn.example.com", "ENCRYPTED_BUCKET_NAME": "xyz", "NCLOUD_ACCESS_KEY": nil,
	})
	code, a = call(t, callback.New(), params)
	require.Equal(t, 200, code, a.Error)
	require.NotNil(t, a.Playback, "warnings: %q", a.Warnings)
	assert.Equal(t, "https://cdn.example.com/hls/xyz/encoded/movies/a_AVC_SD_1Pass_30fps.mp4/index.m3u8", a.Playback.HLS)
	assert.Empty(t, a.Playback.DASH)
	assert.Zero(t, l.vod.CountCalls("", ""))

	// With the API, the channel's protocols are used (HLS and DASH).
	l.vod.ResetCalls()
	code, a = call(t, callback.New(), l.request("token="+cbToken, body, map[string]any{
		"PLAYBACK_DOMAIN": "cdn.example.com", "ENCRYPTED_BUCKET_NAME": "xyz",
	}))
	require.Equal(t, 200, code, a.Error)
	require.NotNil(t, a.Playback, "warnings: %q", a.Warnings)
	assert.Equal(t, "https://cdn.example.com/dash/xyz/encoded/movies/a_AVC_SD_1Pass_30fps.mp4/manifest.mpd", a.Playback.DASH)
	assert.Equal(t, 1, l.vod.CountCalls(http.MethodGet, "/api/v2/channels"))
}

// TestCallbackReceiverDown: the callback is still answered 200; the failed
// delivery is reported in the answer and logged.
func TestCallbackReceiverDown(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	l.receiver.FailWith(http.StatusServiceUnavailable)
	h := callback.New(callback.WithWebhookOptions(webhook.WithRetry(2, time.Millisecond, time.Millisecond)))
	resp, logs := respond(t, h, l.request("token="+cbToken, cbBody(3, "RUNNING"), nil))
	assert.Equal(t, 200, resp.StatusCode)
	var a answer
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &a))
	require.NotNil(t, a.Notified)
	assert.Equal(t, []string{webhook.NewID(webhook.TypeEncodingStarted, "3")}, a.Notified.Failed)
	assert.Contains(t, logs, "webhook_failed")
	assert.Contains(t, logs, `"receiver_status":503`)
	assert.Len(t, l.receiver.Deliveries(), 2, "retried within the deadline")
	for _, secret := range []string{cbSecret, cbToken, cbSK} {
		assert.NotContains(t, logs+resp.Body, secret)
	}
}
