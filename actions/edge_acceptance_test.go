package actions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/actionproxy"
	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// More sentinels, in the secret sources that live inside URLs.
const (
	apiURLPassword     = "APIPW-SENTINEL-3e8d"
	webhookURLPassword = "HOOKPW-SENTINEL-c41a"
)

// assertNoPrefix checks that not even the first 6 characters of any
// secret appear in the texts.
func assertNoPrefix(t *testing.T, secrets []string, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for _, s := range secrets {
			if strings.Contains(text, s[:6]) {
				t.Errorf("the first 6 characters of a secret (%.6s…) leaked into: %.400s", s, text)
			}
		}
	}
}

// withUserinfo returns raw with user:password as its userinfo.
func withUserinfo(t *testing.T, raw, user, password string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	u.User = url.UserPassword(user, password)
	return u.String()
}

// TestEverySecretSourceStaysOut puts a sentinel in every secret source —
// the NCP secret key, CALLBACK_TOKEN, WEBHOOK_SECRET, a ?token= in
// NOTIFICATION_URL, userinfo passwords in API_URL and WEBHOOK_URL — and has
// VOD Station echo them after 290 bytes of padding (past the point where
// error texts are clipped), as JSON and as HTML. Through the shipped
// binaries, not even the first 6 characters of any appear in a result, an
// error, a log line or a webhook body.
func TestEverySecretSourceStaysOut(t *testing.T) {
	secrets := []string{secretKey, callbackToken, webhookSecret, apiURLPassword, webhookURLPassword}
	bodies := map[string]vodstationtest.Fault{}
	for _, pad := range []int{10, 290} {
		echo := strings.Repeat("p", pad) + " " + strings.Join(secrets, " ") + " https://gw.example/cb?token=" + callbackToken
		bodies[fmt.Sprintf("JSON message after %d bytes", pad)] = vodstationtest.Fault{Status: 400,
			Body: `{"error":{"errorCode":"260021","message":"` + echo + `","details":"` + echo + `"}}`}
		bodies[fmt.Sprintf("HTML title after %d bytes", pad)] = vodstationtest.Fault{Status: 502, ContentType: "text/html",
			Body: "<html><title>" + echo + "</title></html>"}
		bodies[fmt.Sprintf("plain text after %d bytes", pad)] = vodstationtest.Fault{Status: 500, ContentType: "text/plain", Body: echo}
	}
	for name, fault := range bodies {
		t.Run(name, func(t *testing.T) {
			vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey, CallbackDelay: time.Hour})
			require.NoError(t, err)
			t.Cleanup(vod.Close)
			vod.AddCategory(vodstationtest.Category{Name: "movies"})
			receiver := webhooktest.NewReceiver(webhookSecret)
			t.Cleanup(receiver.Close)
			logs := &syncBuffer{}
			plat := localrun.New(localrun.Config{BinDir: binDir, Logs: logs, Params: &paramsfile.File{
				Package: paramsfile.Package{Name: "vodflow", Parameters: map[string]any{
					"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey,
					"API_URL":     withUserinfo(t, vod.URL, "vodflow", apiURLPassword),
					"WEBHOOK_URL": withUserinfo(t, receiver.URL, "hook", webhookURLPassword), "WEBHOOK_SECRET": webhookSecret,
				}},
				Actions: map[string]paramsfile.Action{
					"lookup-category": {Parameters: map[string]any{"CATEGORY_NAME": "movies", "BUCKET_NAME": bucket}},
					"add-files":       {Parameters: map[string]any{"NOTIFICATION_URL": "https://gw.example/cb?token=" + callbackToken}},
				},
			}})
			t.Cleanup(func() { plat.Close() })

			fault.Method, fault.Path, fault.Times = http.MethodPut, "/api/v2/category/1/add-files", 1
			vod.InjectFault(fault)
			out := plat.Fire(context.Background(), map[string]any{"object_name": "uploads/echo.mp4"})
			for _, s := range out.Steps {
				require.NoError(t, s.Err)
			}
			e := errorOf(t, out.Result)
			if strings.Contains(name, "after 10 bytes") {
				assert.Contains(t, e["message"], "[redacted]", "the echo was scrubbed, not dropped")
			}
			failed := receiver.EventsOf(webhook.TypeSubmitFailed)
			require.Len(t, failed, 1, "the failure still reaches the receiver")
			var texts []string
			for _, d := range receiver.Deliveries() {
				texts = append(texts, string(d.Body))
			}
			assertNoPrefix(t, secrets, append(texts, jsonText(out.Result), logs.String())...)
		})
	}

	t.Run("invalid URLs are not echoed whole", func(t *testing.T) {
		logs := &syncBuffer{}
		plat := localrun.New(localrun.Config{BinDir: binDir, Logs: logs})
		t.Cleanup(func() { plat.Close() })
		for _, params := range []map[string]any{
			{"API_URL": "http://user:" + apiURLPassword + "@host:badport"},
			{"WEBHOOK_URL": "http://user:" + webhookURLPassword + "@host:badport", "WEBHOOK_SECRET": webhookSecret},
		} {
			for k, v := range map[string]any{"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "CATEGORY_ID": "1", "BUCKET_NAME": bucket, "object_name": "a.mp4"} {
				params[k] = v
			}
			for _, name := range []string{"lookup-category", "add-files", "encoding-callback"} {
				res, err := plat.Invoke(context.Background(), name, params)
				require.NoError(t, err)
				text := jsonText(res)
				if name != "encoding-callback" {
					assert.Contains(t, text, "_URL", "the error names the parameter")
				}
				assertNoPrefix(t, secrets, text)
			}
		}
		assertNoPrefix(t, secrets, logs.String())
	})
}

// TestMergedCallbackIsRefused: a request whose query and body were merged
// into encoding-callback's parameters (deployed as web: true instead of
// raw, or behind a webhook-type trigger) is refused with a 500 that says to
// deploy it raw — even when the caller sets CALLBACK_TOKEN itself and
// points WEBHOOK_URL and API_URL at its own host — and nothing is sent
// anywhere.
func TestMergedCallbackIsRefused(t *testing.T) {
	h := newHardened(t, 0)
	evil := webhooktest.NewReceiver("evil")
	t.Cleanup(evil.Close)
	merged := map[string]any{
		"__ow_method": "post", "__ow_headers": map[string]any{"content-type": "application/json"}, "__ow_path": "",
		"fileId": 1, "status": "COMPLETE", "outputType": "AVC_HD_1Pass_30fps", "link": "https://kr.object.ncloudstorage.com/b/x.mp4",
		"token": "caller-token", "CALLBACK_TOKEN": "caller-token", "VERIFY_STATUS": "true",
		"WEBHOOK_URL": evil.URL, "WEBHOOK_SECRET": "evil-secret", "API_URL": evil.URL,
	}
	res, err := h.plat.RunAction(context.Background(), "encoding-callback", merged)
	require.NoError(t, err)
	assert.EqualValues(t, http.StatusInternalServerError, res["statusCode"])
	assert.Contains(t, res["body"], "raw web action")
	assert.Empty(t, evil.Deliveries(), "nothing reached the caller's host")
	assert.Empty(t, h.receiver.Deliveries(), "nothing reached the real receiver")
	assert.Zero(t, h.vod.CountCalls("", "/api/v2"), "no API call")
}

// TestLargestBatchFitsInOneResult: the largest input add-files accepts
// (10,000 paths, as long as the 1 MB parameter limit allows) is a success
// under 1 MB, with every file submitted exactly once.
func TestLargestBatchFitsInOneResult(t *testing.T) {
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey, CallbackDelay: time.Hour})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	vod.AddCategory(vodstationtest.Category{Name: "movies"})
	plat := localrun.New(localrun.Config{BinDir: binDir, Logs: &syncBuffer{}})
	t.Cleanup(func() { plat.Close() })

	params := map[string]any{"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": vod.URL,
		"category_id": "1", "bucket_name": bucket}
	base, err := json.Marshal(params)
	require.NoError(t, err)
	const n = 10000
	// Each path costs its length plus 3 bytes ("…",) in the parameters.
	pathLen := (action.MaxParamsBytes-len(base)-len(`,"paths":[]`))/n - 3
	require.GreaterOrEqual(t, pathLen, 90)
	paths := make([]string, n)
	for i := range paths {
		p := fmt.Sprintf("uploads/%05d-", i)
		paths[i] = p + strings.Repeat("v", pathLen-len(p)-4) + ".mp4"
	}
	params["paths"] = paths
	raw, err := json.Marshal(params)
	require.NoError(t, err)
	require.LessOrEqual(t, len(raw), action.MaxParamsBytes)

	res, err := plat.Invoke(context.Background(), "add-files", params)
	require.NoError(t, err)
	require.NotContains(t, res, "error")
	result := plat.LastResult("add-files")
	require.NotNil(t, result)
	assert.Less(t, len(result.Raw), action.MaxResultBytes, "the result fits")
	assert.EqualValues(t, n, res["submitted"])
	assert.Equal(t, true, res["compact"])
	ids, _ := res["file_ids"].([]any)
	assert.Equal(t, n, len(ids))
	assert.Equal(t, n, len(vod.SubmittedPaths()), "every file submitted")
	for _, c := range vod.SubmittedPaths() {
		if c != 1 {
			t.Fatalf("a file was submitted %d times", c)
		}
	}
}

// TestNumericDeadlineIsHonoured: with the deadline sent as a number (as the
// runtime's ACTION.md documents it), add-files stops waiting on a slow VOD
// Station in time and answers a timeout error itself, before the proxy's
// own kill at the deadline.
func TestNumericDeadlineIsHonoured(t *testing.T) {
	for _, numeric := range []bool{true, false} {
		t.Run(fmt.Sprintf("numeric=%v", numeric), func(t *testing.T) {
			vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey, CallbackDelay: time.Hour})
			require.NoError(t, err)
			t.Cleanup(vod.Close)
			vod.AddCategory(vodstationtest.Category{Name: "movies"})
			vod.InjectFault(vodstationtest.Latency(http.MethodPut, "/api/v2/category/1/add-files", 1, 30*time.Second))
			p, err := actionproxy.Start(context.Background(), actionproxy.Options{
				Path: localrun.ExecPath(binDir, "add-files"), ExecutionEnv: actionproxy.DefaultExecutionEnv, NumericDeadline: numeric,
			})
			require.NoError(t, err)
			t.Cleanup(func() { p.Close() })
			res, err := p.Run(context.Background(), map[string]any{"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey,
				"API_URL": vod.URL, "category_id": "1", "bucket_name": bucket, "file_name": "uploads/slow.mp4"}, 2*time.Second)
			require.NoError(t, err, "the action answered before the proxy had to kill it")
			obj, err := res.Object()
			require.NoError(t, err)
			e := errorOf(t, obj)
			assert.Equal(t, "timeout", e["code"])
		})
	}
}
