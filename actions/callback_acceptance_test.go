package actions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

const (
	// callbackToken and webhookSecret are sentinels too.
	callbackToken = "CB-TOKEN-SENTINEL-51d0c2"
	webhookSecret = "WH-SECRET-SENTINEL-77a9e3"
)

// TestEndToEndCallbackLoop: upload event → sequence → emulator callbacks
// (per option, sequential) → the encoding-callback binary behind a loopback
// gateway → the webhook receiver gets submitted, a rendition_complete per
// option and exactly one file_complete with playback URLs, all signed.
func TestEndToEndCallbackLoop(t *testing.T) {
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	vod.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: "out", OutputPath: "encoded"})
	ch := vod.AddChannel(vodstationtest.Channel{Name: "movies", StorageBucketName: "out", EncryptedBucketName: "encX",
		CDNDomain: "movies.edge.naverncp.com", ProtocolList: []string{"HLS"}})
	receiver := webhooktest.NewReceiver(webhookSecret)
	t.Cleanup(receiver.Close)

	var plat *localrun.Platform
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plat.WebHandler("encoding-callback", "/cb").ServeHTTP(w, r)
	}))
	t.Cleanup(gateway.Close)
	logs := &syncBuffer{}
	plat = localrun.New(localrun.Config{BinDir: binDir, Logs: logs, Params: &paramsfile.File{
		Package: paramsfile.Package{Name: "vodflow", Parameters: map[string]any{
			"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": vod.URL,
			"WEBHOOK_URL": receiver.URL, "WEBHOOK_SECRET": webhookSecret,
		}},
		Actions: map[string]paramsfile.Action{
			"lookup-category":   {Parameters: map[string]any{"CATEGORY_NAME": "movies", "BUCKET_NAME": bucket}},
			"add-files":         {Parameters: map[string]any{"NOTIFICATION_URL": gateway.URL + "/cb?token=" + callbackToken}},
			"encoding-callback": {Parameters: map[string]any{"CALLBACK_TOKEN": callbackToken, "CHANNEL_ID": ch.ID}},
		},
	}})
	t.Cleanup(func() {
		plat.Close()
		for _, s := range []string{secretKey, callbackToken, webhookSecret} {
			assert.NotContains(t, logs.String(), s, "a secret reached the actions' stdout/stderr")
		}
	})

	res := fire(t, env{vod: vod, plat: plat, logs: logs}, map[string]any{"object_name": "uploads/trailer.mp4"})
	require.NotContains(t, res, "error")
	fileID := res["files"].([]any)[0].(map[string]any)["file_id"].(string)

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

	count := map[string]int{}
	for _, ev := range receiver.Events() {
		count[ev.Type]++
		assert.Equal(t, fileID, ev.FileID)
	}
	assert.Equal(t, map[string]int{"submitted": 1, "encoding_started": 1, "rendition_complete": 2, "ready": 1, "file_complete": 1}, count)
	fc := receiver.EventsOf(webhook.TypeFileComplete)[0]
	require.NotNil(t, fc.Playback)
	assert.Equal(t, "https://movies.edge.naverncp.com/hls/encX/encoded/movies/trailer_,AVC_SD_1Pass_30fps,AVC_HD_1Pass_30fps,.mp4.smil/master.m3u8",
		fc.Playback.HLS, "one adaptive URL, through the shipped binary")
	require.NotNil(t, fc.Source, "the source's facts from the status API")
	require.Len(t, fc.Renditions, 2)
	for _, r := range fc.Renditions {
		require.NotNil(t, r.Playback)
		assert.Equal(t, "https://movies.edge.naverncp.com/hls/encX/encoded/movies/trailer_"+r.OutputType+".mp4/index.m3u8", r.Playback.HLS)
	}
	for _, d := range receiver.Deliveries() {
		assert.True(t, d.Verified, "signed with WEBHOOK_SECRET: %v", d.Err)
		for _, s := range []string{secretKey, callbackToken, webhookSecret} {
			assert.NotContains(t, string(d.Body), s)
		}
	}

	// A wrong token is refused by the binary with 401, and changes nothing.
	before := len(receiver.Deliveries())
	resp, err := http.Post(gateway.URL+"/cb?token=wrong", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Len(t, receiver.Deliveries(), before)
}
