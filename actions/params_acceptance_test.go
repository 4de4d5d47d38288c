package actions_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// uploadTokenForParams is upload-url's UPLOAD_TOKEN in these tests.
const uploadTokenForParams = "upload-token-of-the-params-test"

// deployed binds every input of sequence.yaml as deploy would: each $VAR
// in the section the manifest puts it, with a value the actions accept.
// extra adds parameters by section ("package" or an action's name).
func deployed(t *testing.T, values map[string]any, extra map[string]map[string]any) *paramsfile.File {
	t.Helper()
	mf, err := manifest.Load(filepath.Join("..", manifest.FileName))
	require.NoError(t, err)
	p := &paramsfile.File{Package: paramsfile.Package{Name: "vodflow", Parameters: map[string]any{}}, Actions: map[string]paramsfile.Action{}}
	section := func(name string) map[string]any {
		if name == "package" {
			return p.Package.Parameters
		}
		a, ok := p.Actions[name]
		if !ok {
			a = paramsfile.Action{Parameters: map[string]any{}}
			p.Actions[name] = a
		}
		return a.Parameters
	}
	for _, b := range mf.Bindings() {
		if b.Section == "trigger" {
			continue
		}
		v, ok := values[b.Var]
		require.True(t, ok, "the test has no value for %s, which sequence.yaml binds: add one", b.Var)
		section(strings.TrimPrefix(b.Section, "actions."))[b.Input] = v
	}
	for name, params := range extra {
		for k, v := range params {
			section(name)[k] = v
		}
	}
	return p
}

// loopWithEveryParameter runs the upload and its callbacks through the
// shipped binaries with every parameter of sequence.yaml bound, and
// returns the step results, the events and the actions' logs.
func loopWithEveryParameter(t *testing.T, extra map[string]map[string]any) ([]map[string]any, []webhook.Event, string) {
	t.Helper()
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	vod.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: "out", OutputPath: "encoded"})
	receiver := webhooktest.NewReceiver(webhookSecret)
	t.Cleanup(receiver.Close)
	var plat *localrun.Platform
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plat.WebHandler("encoding-callback", "/cb").ServeHTTP(w, r)
	}))
	t.Cleanup(gateway.Close)
	params := deployed(t, map[string]any{
		"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": vod.URL, "REGION": "KR",
		"WEBHOOK_URL": receiver.URL, "WEBHOOK_SECRET": webhookSecret, "BUCKET_NAME": bucket,
		"CATEGORY_NAME": "movies", "CATEGORY_ID": "", "CATEGORY_CACHE_TTL": 300, "INPUT_PREFIX": "uploads/",
		"EXCLUDE_PREFIXES": "encoded/", "EXTENSIONS": "mp4,mov", "KEY_DECODING": "auto",
		"NOTIFICATION_URL": gateway.URL + "/cb?token=" + callbackToken, "NOTIFICATION_FIELD": "notificationUrl",
		"DEDUP_WINDOW": 600, "DEDUP_CHECK_STATUS": false,
		"CALLBACK_TOKEN": callbackToken, "VERIFY_STATUS": false, "PLAYBACK_DOMAIN": "movies.edge.naverncp.com",
		"ENCRYPTED_BUCKET_NAME": "encX", "CHANNEL_ID": "", "PLAYBACK_PROTOCOLS": "HLS", "PLAYBACK_ABR": "smil", "PLAYBACK_POSTER": "auto",
		"OBJECT_STORAGE_ENDPOINT": "", "OBJECT_STORAGE_REGION": "", "RECONCILE_WINDOW": 86400, "RECONCILE_MIN_AGE": 300,
		"RECONCILE_MAX": 100, "RECONCILE_PAGES": 20, "RECONCILE_STATUS_PAGES": 200,
		"UPLOAD_TOKEN": uploadTokenForParams, "ALLOWED_ORIGINS": "https://www.example.com", "UPLOAD_MAX_SIZE": 1 << 30,
		"UPLOAD_PART_SIZE": 64 << 20, "UPLOAD_URL_TTL": "15m",
		"PLAYBACK_TOKEN_KEY": "", "PLAYBACK_TOKEN_NAME": "token", "PLAYBACK_TOKEN_TTL": "6h", "PLAYBACK_TOKEN_TYPE": "securetoken",
		"PLAYBACK_URL_TOKEN": "",
	}, extra)
	logs := &syncBuffer{}
	plat = localrun.New(localrun.Config{BinDir: binDir, Logs: logs, Params: params})
	t.Cleanup(func() { _ = plat.Close() })

	// upload-url, asked for one upload (presigning sends nothing).
	up := httptest.NewServer(plat.WebHandler("upload-url", "/up"))
	t.Cleanup(up.Close)
	req, err := http.NewRequest(http.MethodPost, up.URL+"/up", strings.NewReader(`{"filename":"trailer.mp4","content_type":"video/mp4","size":1000}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+uploadTokenForParams)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	if extra["upload-url"] == nil {
		assert.NotContains(t, string(body), "unknown parameter", "upload-url's answer")
	}
	var results []map[string]any

	out := plat.Fire(context.Background(), map[string]any{"object_name": "uploads/trailer.mp4"})
	for _, s := range out.Steps {
		require.NoError(t, s.Err, s.Action)
		results = append(results, s.Result)
	}
	require.NotContains(t, out.Result, "error")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	evs, err := receiver.Wait(ctx, func(evs []webhook.Event) bool {
		for _, ev := range evs {
			if ev.Type == webhook.TypeFileComplete {
				return true
			}
		}
		return false
	})
	require.NoError(t, err, "file_complete never came; got %v", evs)
	require.NoError(t, vod.WaitIdle(ctx))
	return results, evs, logs.String()
}

// TestDeployedParametersRaiseNoWarning: with every parameter sequence.yaml
// binds (the package's reach every action, and add-files gets
// lookup-category's result over its own), no action warns of an unknown
// parameter, in a result, an event or a log line.
func TestDeployedParametersRaiseNoWarning(t *testing.T) {
	results, evs, logs := loopWithEveryParameter(t, nil)
	for _, r := range results {
		b, _ := json.Marshal(r)
		assert.NotContains(t, string(b), "unknown parameter")
	}
	for _, ev := range evs {
		assert.Empty(t, ev.Warnings, ev.Type)
	}
	for _, name := range []string{"upload-url", "lookup-category", "add-files", "encoding-callback"} {
		assert.Contains(t, logs, `"action":"`+name+`"`, "%s ran", name)
	}
	assert.NotContains(t, logs, "parameter_warnings")
}

// TestTypoInAParameterWarns: a misspelt parameter reaches the action,
// which warns in its result and log line with the name it reads.
func TestTypoInAParameterWarns(t *testing.T) {
	results, _, logs := loopWithEveryParameter(t, map[string]map[string]any{
		"lookup-category": {"INPUT_PREFX": "uploads/"}, "add-files": {"DEDUP_WINDWO": 60},
	})
	require.Len(t, results, 2)
	lookupWarn := "unknown parameter INPUT_PREFX: this action does not read it; did you mean INPUT_PREFIX?"
	addWarn := "unknown parameter DEDUP_WINDWO: this action does not read it; did you mean DEDUP_WINDOW?"
	assert.Equal(t, []any{lookupWarn}, results[0]["warnings"])
	assert.Contains(t, results[1]["warnings"], addWarn)
	assert.Contains(t, logs, `"parameter_warnings":["`+lookupWarn+`"]`)
	assert.Contains(t, logs, `"parameter_warnings":["`+addWarn+`"]`)
}
