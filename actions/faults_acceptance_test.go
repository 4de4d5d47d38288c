package actions_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/sequence"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// sentinels are secrets that must appear nowhere: not in stdout or stderr
// of any action, not in a result or error, not in a webhook body.
var sentinels = []string{secretKey, callbackToken, webhookSecret}

// hardened is a platform whose every parameter source carries the
// sentinels, with a webhook receiver, against a one-category emulator.
type hardened struct {
	vod      *vodstationtest.Server
	plat     *localrun.Platform
	receiver *webhooktest.Receiver
	logs     *syncBuffer
}

func newHardened(t *testing.T, timeout time.Duration) *hardened {
	t.Helper()
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey, CallbackDelay: time.Hour})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	vod.AddCategory(vodstationtest.Category{Name: "movies"})
	h := &hardened{vod: vod, receiver: webhooktest.NewReceiver(webhookSecret), logs: &syncBuffer{}}
	t.Cleanup(h.receiver.Close)
	h.plat = localrun.New(localrun.Config{BinDir: binDir, Logs: h.logs, Timeout: timeout, Params: &paramsfile.File{
		Package: paramsfile.Package{Name: "vodflow", Parameters: map[string]any{
			"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": vod.URL,
			"WEBHOOK_URL": h.receiver.URL, "WEBHOOK_SECRET": webhookSecret,
		}},
		Actions: map[string]paramsfile.Action{
			"lookup-category":   {Parameters: map[string]any{"CATEGORY_NAME": "movies", "BUCKET_NAME": bucket}},
			"add-files":         {Parameters: map[string]any{"NOTIFICATION_URL": "https://gw.example/cb?token=" + callbackToken}},
			"encoding-callback": {Parameters: map[string]any{"CALLBACK_TOKEN": callbackToken, "PLAYBACK_DOMAIN": "x.edge.naverncp.com", "ENCRYPTED_BUCKET_NAME": "enc"}},
		},
	}})
	t.Cleanup(func() {
		h.plat.Close()
		var texts []string
		for _, d := range h.receiver.Deliveries() {
			texts = append(texts, string(d.Body))
		}
		assertNoSentinel(t, append(texts, h.logs.String())...)
	})
	return h
}

func assertNoSentinel(t *testing.T, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for _, s := range sentinels {
			if strings.Contains(text, s) {
				t.Errorf("a secret (%.6s…) leaked into: %.300s", s, text)
			}
		}
	}
}

func jsonText(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestFaultMatrix: every failure the VOD Station side can produce ends in
// exactly one of two outcomes: submitted exactly once (the emulator's own
// count) with a success, or an error result with a clear message and a
// submit_failed event. Never a success without a submission, never two
// submissions.
func TestFaultMatrix(t *testing.T) {
	const addPath = "/api/v2/category/1/add-files"
	html401 := vodstationtest.Fault{Method: http.MethodGet, Path: "/api/v2/category", Times: 1, Status: 401, ContentType: "text/html",
		Body: "<html><head><title>401 Authorization Required</title></head><body><h1>401</h1><hr>nginx</body></html>"}
	tests := []struct {
		name        string
		faults      []vodstationtest.Fault
		timeout     time.Duration
		wantOK      bool
		wantSubs    int    // what the emulator accepted for the key
		wantAdds    int    // add-files requests it received (-1: not checked)
		wantErr     string // in the error message
		wantCode    string
		notInErrMsg string
	}{
		{name: "429 ×3 then OK", faults: []vodstationtest.Fault{vodstationtest.Throttle(http.MethodPut, addPath, 3)},
			wantOK: true, wantSubs: 1, wantAdds: 4},
		{name: "503 on listing ×2 then OK", faults: []vodstationtest.Fault{vodstationtest.Unavailable(http.MethodGet, "/api/v2/category", 2)},
			wantOK: true, wantSubs: 1, wantAdds: 1},
		{name: "500 on add-files", faults: []vodstationtest.Fault{vodstationtest.InternalError(http.MethodPut, addPath, 1)},
			wantSubs: 0, wantAdds: 1, wantErr: "HTTP 500"},
		{name: "502 (HTML) on add-files", faults: []vodstationtest.Fault{{Method: http.MethodPut, Path: addPath, Times: 1, Status: 502, ContentType: "text/html", Body: "<html><title>502 Bad Gateway</title></html>"}},
			wantSubs: 0, wantAdds: 1, wantErr: "HTTP 502", notInErrMsg: "<html"},
		{name: "504 on add-files after VOD Station accepted", faults: []vodstationtest.Fault{func() vodstationtest.Fault {
			f := vodstationtest.GatewayTimeout(http.MethodPut, addPath, 1)
			f.Process = true
			return f
		}()}, wantSubs: 1, wantAdds: 1, wantErr: "HTTP 504"},
		{name: "delay beyond the action's deadline", timeout: 5 * time.Second,
			faults:   []vodstationtest.Fault{vodstationtest.Latency(http.MethodPut, addPath, 1, 30*time.Second)},
			wantSubs: 0, wantAdds: -1, wantCode: "timeout", wantErr: "may have accepted"},
		{name: "connection dropped before the body was read", faults: []vodstationtest.Fault{vodstationtest.Drop(http.MethodPut, addPath, 1, vodstationtest.DropBeforeBody)},
			wantSubs: 0, wantAdds: 1, wantErr: "may have accepted"},
		{name: "connection dropped after the body was read", faults: []vodstationtest.Fault{vodstationtest.Drop(http.MethodPut, addPath, 1, vodstationtest.DropAfterBody)},
			wantSubs: 0, wantAdds: 1, wantErr: "may have accepted"},
		{name: "connection dropped after VOD Station accepted", faults: []vodstationtest.Fault{vodstationtest.Drop(http.MethodPut, addPath, 1, vodstationtest.DropAfterProcessing)},
			wantSubs: 1, wantAdds: 1, wantErr: "may have accepted"},
		{name: "401 with an HTML body", faults: []vodstationtest.Fault{html401},
			wantSubs: 0, wantAdds: 0, wantErr: "HTTP 401", notInErrMsg: "<html"},
		{name: "truncated JSON 200", faults: []vodstationtest.Fault{{Method: http.MethodPut, Path: addPath, Times: 1, Process: true, Status: 200, Body: `{"content":[{"id":`}},
			wantSubs: 1, wantAdds: 1, wantErr: "may have accepted"},
		{name: "empty 200", faults: []vodstationtest.Fault{{Method: http.MethodPut, Path: addPath, Times: 1, Process: true, Status: 200, Body: ""}},
			wantSubs: 1, wantAdds: 1, wantErr: "may have accepted"},
		{name: "200 without file ids", faults: []vodstationtest.Fault{{Method: http.MethodPut, Path: addPath, Times: 1, Process: true, Status: 200, Body: `{"content":[{"filePath":"uploads/fault.mp4"}]}`}},
			wantSubs: 1, wantAdds: 1, wantErr: "may have accepted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHardened(t, tt.timeout)
			for _, f := range tt.faults {
				h.vod.InjectFault(f)
			}
			out := h.plat.Fire(context.Background(), map[string]any{"object_name": "uploads/fault.mp4"})
			for _, s := range out.Steps {
				require.NoError(t, s.Err, "%s crashed", s.Action)
			}
			res := out.Result
			assertNoSentinel(t, jsonText(res))
			assert.Equal(t, tt.wantSubs, h.vod.SubmittedPaths()[bucket+"/uploads/fault.mp4"], "accepted by VOD Station")
			if tt.wantAdds >= 0 { // a call still held by the emulator is recorded only when it ends
				assert.Equal(t, tt.wantAdds, h.vod.CountCalls(http.MethodPut, addPath), "add-files requests")
			}

			if tt.wantOK {
				require.False(t, sequence.IsError(res), "want success, got %v", res)
				assert.EqualValues(t, 1, res["submitted"])
				assert.Len(t, h.receiver.EventsOf(webhook.TypeSubmitted), 1)
				assert.Empty(t, h.receiver.EventsOf(webhook.TypeSubmitFailed))
				return
			}
			require.True(t, sequence.IsError(res), "want an error, got %v", res)
			e := errorOf(t, res)
			msg, _ := e["message"].(string)
			assert.Contains(t, msg, tt.wantErr)
			if tt.wantCode != "" {
				assert.Equal(t, tt.wantCode, e["code"])
			}
			if tt.notInErrMsg != "" {
				assert.NotContains(t, msg, tt.notInErrMsg)
			}
			assert.NotContains(t, strings.ToLower(msg), "x-ncp-apigw-signature", "errors never echo request headers")
			assert.NotContains(t, strings.ToLower(msg), "x-ncp-iam-access-key")
			failed := h.receiver.EventsOf(webhook.TypeSubmitFailed)
			require.Len(t, failed, 1, "the failure is reported, not lost")
			assert.Equal(t, "uploads/fault.mp4", failed[0].Key)
			assert.Equal(t, bucket, failed[0].BucketName)
			require.NotNil(t, failed[0].Error)
			assert.Contains(t, msg, failed[0].Error.Message, "the event carries the error")
			assert.Empty(t, h.receiver.EventsOf(webhook.TypeSubmitted))
		})
	}
}

// TestSecretsNeverLeave runs every action over every sample event (the
// sequence, each action alone, and the callback action with the event as
// its body, with and without the token), with the sentinels in every
// parameter source; the hardened platform's cleanup checks logs and webhook
// bodies, this test checks every result.
func TestSecretsNeverLeave(t *testing.T) {
	files, err := filepath.Glob("../testdata/events/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	h := newHardened(t, 0)
	gateway := h.plat.WebHandler("encoding-callback", "/cb")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var event map[string]any
		require.NoError(t, json.Unmarshal(raw, &event))

		out := h.plat.Fire(context.Background(), event)
		for _, s := range out.Steps {
			require.NoError(t, s.Err)
			assertNoSentinel(t, jsonText(s.Result))
		}
		for _, name := range []string{"lookup-category", "add-files", "encoding-callback"} {
			res, err := h.plat.RunAction(context.Background(), name, event)
			require.NoError(t, err, name)
			assertNoSentinel(t, jsonText(res))
		}
		for _, q := range []string{"", "?token=" + callbackToken, "?token=wrong"} {
			rec := newRecorder()
			gateway.ServeHTTP(rec, newPost("/cb"+q, string(raw)))
			assertNoSentinel(t, rec.Body.String())
		}
	}
	// And the fault rows' errors: the matrix runs with the same sentinels.
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func newPost(target, body string) *http.Request {
	return httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
}

// TestInputLimits: over-limit input is a clear error naming what is wrong,
// and nothing is submitted.
func TestInputLimits(t *testing.T) {
	h := newHardened(t, 0)
	many := make([]any, 10001)
	for i := range many {
		many[i] = "uploads/f" + strings.Repeat("0", 4) + string(rune('a'+i%26)) + ".mp4"
	}
	tests := []struct {
		name     string
		action   string // "" = the sequence
		params   map[string]any
		wantCode string
		wantText string
	}{
		{name: "key over 1024 bytes", params: map[string]any{"object_name": "uploads/" + strings.Repeat("k", 1100) + ".mp4"}, wantText: "object_name"},
		{name: "over 10,000 paths", action: "add-files", params: map[string]any{"category_id": "1", "bucket_name": bucket, "paths": many}, wantText: "paths"},
		{name: "parameters over 1 MB", params: map[string]any{"object_name": "a.mp4", "padding": strings.Repeat("p", 1<<20)}, wantCode: "parameters_too_large", wantText: "1 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res map[string]any
			if tt.action == "" {
				out := h.plat.Fire(context.Background(), tt.params)
				for _, s := range out.Steps {
					require.NoError(t, s.Err)
				}
				res = out.Result
			} else {
				var err error
				res, err = h.plat.RunAction(context.Background(), tt.action, tt.params)
				require.NoError(t, err)
			}
			e := errorOf(t, res)
			assert.Contains(t, e["message"], tt.wantText)
			if tt.wantCode != "" {
				assert.Equal(t, tt.wantCode, e["code"])
			}
			assert.Empty(t, h.vod.Submissions(), "nothing submitted")
		})
	}
}
