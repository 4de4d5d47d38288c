package callback_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/notify"
	"github.com/vodflow/vodflow/pkg/upload"
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
// and the parameters bound to the callback action.
type loop struct {
	vod      *vodstationtest.Server
	cat      vodstationtest.Category
	channel  vodstationtest.Channel
	receiver *webhooktest.Receiver
	params   map[string]any
}

func newLoop(t testing.TB, opts vodstationtest.Options) *loop {
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

// request is the raw-HTTP web action parameters for a POST of body: the
// bound parameters plus the request's __ow_* fields. extra overrides keys;
// a nil value removes one.
func (l *loop) request(query, body string, extra map[string]any) []byte {
	p := mergeMaps(l.params, map[string]any{
		"__ow_method":  "post",
		"__ow_headers": map[string]string{"content-type": "application/json"},
		"__ow_path":    "",
		"__ow_query":   query,
		"__ow_body":    body,
	})
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

func mergeMaps(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func jsonNum(v any) string { b, _ := json.Marshal(v); return string(b) }

// activate runs h on one activation whose value is value (a JSON object)
// through the real action loop, and returns the result line and the log.
// It asserts nothing, so an HTTP handler goroutine may use it.
func activate[C, In, Out any](ctx context.Context, h action.Handler[C, In, Out], value []byte) (result []byte, logs string, err error) {
	line, err := json.Marshal(map[string]any{"value": json.RawMessage(value), "activation_id": "test-activation"})
	if err != nil {
		return nil, "", err
	}
	var out, log bytes.Buffer
	err = action.Serve(ctx, action.Options{Name: "test", In: bytes.NewReader(append(line, '\n')), Out: &out, Log: &log}, h)
	return bytes.TrimSpace(out.Bytes()), log.String(), err
}

// answer is the JSON body of every encoding-callback answer.
type answer struct {
	OK       bool   `json:"ok"`
	Error    string `json:"error"`
	FileID   string `json:"file_id"`
	Status   string `json:"status"`
	Events   []struct{ ID, Type string }
	Playback *webhook.Playback
	Notified *notify.Result
	Warnings []string
}

// respond runs the callback action on params and returns its web response
// and the activation's log. A web action answers every problem with an
// HTTP status: never an error result.
func respond(t testing.TB, h *callback.Handler, params []byte) (webaction.Response, string) {
	t.Helper()
	result, logs, err := activate(context.Background(), h.Action(), params)
	require.NoError(t, err)
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(result, &top), string(result))
	require.NotContains(t, top, "error", "the web action answers every problem with a status code: %s", result)
	var resp webaction.Response
	require.NoError(t, json.Unmarshal(result, &resp), string(result))
	assert.Equal(t, "application/json", resp.Headers["Content-Type"])
	return resp, logs
}

// call runs the callback action on params and returns the HTTP status and
// the decoded answer body.
func call(t testing.TB, h *callback.Handler, params []byte) (int, answer) {
	t.Helper()
	resp, _ := respond(t, h, params)
	var a answer
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &a), resp.Body)
	return resp.StatusCode, a
}

// invoke runs an action handler on params through the real action loop
// and returns its result, or the error result's body.
func invoke[C, In, Out any](t testing.TB, h action.Handler[C, In, Out], params map[string]any) (Out, *action.ErrorBody) {
	t.Helper()
	var out Out
	value, err := json.Marshal(params)
	require.NoError(t, err)
	result, _, err := activate(context.Background(), h, value)
	require.NoError(t, err)
	var res struct {
		Error *action.ErrorBody `json:"error"`
	}
	require.NoError(t, json.Unmarshal(result, &res), string(result))
	if res.Error != nil {
		return out, res.Error
	}
	require.NoError(t, json.Unmarshal(result, &out), string(result))
	return out, nil
}

// addFiles submits key from the bucket in-bucket to the loop's category
// with add-files, notification URL notify ("" for the category's: none).
func addFiles(t testing.TB, l *loop, key, notify string) (upload.AddFilesResult, *action.ErrorBody) {
	t.Helper()
	return invoke(t, upload.New().AddFiles(), map[string]any{
		"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": l.vod.URL,
		"WEBHOOK_URL": l.receiver.URL, "WEBHOOK_SECRET": cbSecret, "NOTIFICATION_URL": notify,
		"category_id": l.cat.ID, "bucket_name": "in-bucket", "file_name": key,
	})
}

// mustAddFiles is addFiles that must succeed with one file.
func mustAddFiles(t testing.TB, l *loop, key, notify string) upload.AddFilesResult {
	t.Helper()
	res, fail := addFiles(t, l, key, notify)
	require.Nil(t, fail, "add-files failed: %+v", fail)
	require.Len(t, res.Files, 1)
	return res
}

// encodedFile submits key (without a callback URL), waits until the
// emulator has encoded every rendition, and returns the file id.
func encodedFile(t *testing.T, l *loop, key string) string {
	t.Helper()
	res := mustAddFiles(t, l, key, "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, l.vod.WaitIdle(ctx))
	return res.Files[0].FileID
}

// inProcessGateway is an HTTP server that hands each request to one
// callback handler as the platform does for a raw web action, through the
// real action loop: one warm container.
func inProcessGateway(t *testing.T, h *callback.Handler, params map[string]any) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := webaction.FromHTTP(r, "/cb")
		if err != nil {
			t.Errorf("gateway: %v", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b, _ := json.Marshal(mergeMaps(params, req))
		result, _, err := activate(r.Context(), h.Action(), b)
		if err != nil {
			t.Errorf("gateway: serve: %v", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		webaction.Write(w, result)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// callerServer is a server the caller controls: it counts every request.
type callerServer struct {
	*httptest.Server
	requests chan string
}

func newCallerServer(t *testing.T) *callerServer {
	s := &callerServer{requests: make(chan string, 100)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case s.requests <- r.Method + " " + r.URL.Path:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.Close)
	return s
}

// received lists the requests the server got so far.
func (s *callerServer) received() []string {
	var out []string
	for {
		select {
		case r := <-s.requests:
			out = append(out, r)
		default:
			return out
		}
	}
}

// goTypeName matches what a Go type name looks like in a message:
// pkg.Type, Go struct field, json: prefixes, composite and sized types.
var goTypeName = regexp.MustCompile(`\b[a-z][a-z0-9]*\.[A-Z][A-Za-z0-9_]*\b|(?i:\bgo (struct|value|type)\b|\bjson: |\bunmarshal)|\[\]|\bmap\[|\b(u?int(8|16|32|64)?|float(32|64)|rune|byte)\b|\binterface ?\{|\bstruct ?\{`)

func assertNoGoTypeName(t testing.TB, msg string) {
	t.Helper()
	assert.False(t, goTypeName.MatchString(msg), "the message names a Go type: %q (matched %q)", msg, goTypeName.FindString(msg))
}

func init() {
	// The pattern must catch what encoding/json says by default.
	for _, s := range []string{
		`json: cannot unmarshal string into Go struct field Config.VERIFY_STATUS of type param.Bool`,
		`cannot unmarshal number into Go value of type string`, `want []string`, `got *callback.Refusal`, `an int64`, `want int`, `of type map[string]interface {}`,
	} {
		if !goTypeName.MatchString(s) {
			panic(fmt.Sprintf("goTypeName misses %q", s))
		}
	}
}
