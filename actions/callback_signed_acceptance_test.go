package actions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/edgetoken"
	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// callbackRun is one whole callback loop's outcome.
type callbackRun struct {
	vod    *vodstationtest.Server
	events []webhook.Event
	bodies []string
	logs   string
	result string
}

// runCallbackLoop runs the whole loop of TestEndToEndCallbackLoop (upload
// event → sequence → emulator callbacks → the encoding-callback binary
// behind a loopback gateway → the webhook receiver) until file_complete,
// with encoding-callback's extra parameters and the edge's token check.
func runCallbackLoop(t *testing.T, callbackParams map[string]any, edge *edgetoken.Signer) callbackRun {
	t.Helper()
	return runCallbackLoopWith(t, callbackParams, edge, nil)
}

// runCallbackLoopWith is runCallbackLoop with prepare called on the
// emulator before the upload; with a prepare, the loop is followed until
// the emulator is idle, file_complete or not.
func runCallbackLoopWith(t *testing.T, callbackParams map[string]any, edge *edgetoken.Signer, prepare func(*vodstationtest.Server)) callbackRun {
	t.Helper()
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey, EdgeToken: edge,
		FFmpeg: ffmpegOption(), Source: vodstationtest.SourceMetadata{DurationS: 2, Width: 1280, Height: 720}})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	vod.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: "out", OutputPath: "encoded"})
	ch := vod.AddChannel(vodstationtest.Channel{Name: "movies", StorageBucketName: "out", EncryptedBucketName: "encX",
		CDNDomain: "movies.edge.naverncp.com", ProtocolList: []string{"HLS", "DASH"}})
	receiver := webhooktest.NewReceiver(webhookSecret)
	t.Cleanup(receiver.Close)

	var plat *localrun.Platform
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plat.WebHandler("encoding-callback", "/cb").ServeHTTP(w, r)
	}))
	t.Cleanup(gateway.Close)
	cb := map[string]any{"CALLBACK_TOKEN": callbackToken, "CHANNEL_ID": ch.ID}
	for k, v := range callbackParams {
		cb[k] = v
	}
	logs := &syncBuffer{}
	plat = localrun.New(localrun.Config{BinDir: binDir, Logs: logs, Params: &paramsfile.File{
		Package: paramsfile.Package{Name: "vodflow", Parameters: map[string]any{
			"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": vod.URL,
			"WEBHOOK_URL": receiver.URL, "WEBHOOK_SECRET": webhookSecret,
		}},
		Actions: map[string]paramsfile.Action{
			"lookup-category":   {Parameters: map[string]any{"CATEGORY_NAME": "movies", "BUCKET_NAME": bucket}},
			"add-files":         {Parameters: map[string]any{"NOTIFICATION_URL": gateway.URL + "/cb?token=" + callbackToken}},
			"encoding-callback": {Parameters: cb},
		},
	}})
	t.Cleanup(func() { plat.Close() })

	if prepare != nil {
		prepare(vod)
	}
	res := fire(t, env{vod: vod, plat: plat, logs: logs}, map[string]any{"object_name": "uploads/trailer.mp4"})
	require.NotContains(t, res, "error")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if prepare == nil {
		_, err = receiver.Wait(ctx, func(evs []webhook.Event) bool {
			for _, ev := range evs {
				if ev.Type == webhook.TypeFileComplete {
					return true
				}
			}
			return false
		})
		require.NoError(t, err, "file_complete never came")
	}
	require.NoError(t, vod.WaitIdle(ctx))
	run := callbackRun{vod: vod, events: receiver.Events(), logs: logs.String(), result: jsonText(res)}
	for _, d := range receiver.Deliveries() {
		assert.True(t, d.Verified, "signed with WEBHOOK_SECRET: %v", d.Err)
		run.bodies = append(run.bodies, string(d.Body))
	}
	return run
}

// playbackURLs lists every playback URL the events carry (the adaptive
// URLs, each rendition's), by where it is.
func playbackURLs(evs []webhook.Event) map[string]*webhook.Playback {
	out := map[string]*webhook.Playback{}
	for _, ev := range evs {
		if ev.Playback != nil {
			out[ev.Type+" "+ev.ID] = ev.Playback
		}
		if ev.Rendition != nil && ev.Rendition.Playback != nil {
			out[ev.Type+" "+ev.ID+" rendition"] = ev.Rendition.Playback
		}
		for _, r := range ev.Renditions {
			if r.Playback != nil {
				out[ev.Type+" "+ev.ID+" "+r.OutputType] = r.Playback
			}
		}
	}
	return out
}

func eventIDs(evs []webhook.Event) []string {
	var ids []string
	for _, ev := range evs {
		ids = append(ids, ev.Type+" "+ev.ID)
	}
	sort.Strings(ids)
	return ids
}

// TestCallbackLoopSignsEveryPlaybackURL: with PLAYBACK_TOKEN_KEY set
// (Secure Token, and JWT), every playback URL in the events the shipped
// encoding-callback sends is signed, and the emulator's edge, checking
// tokens with the same key, plays each: the manifest and every playlist
// and segment under it with the token carried, and the DASH manifest. The
// event ids are the unsigned run's; the key appears nowhere.
func TestCallbackLoopSignsEveryPlaybackURL(t *testing.T) {
	unsigned := runCallbackLoop(t, nil, nil)
	plain := playbackURLs(unsigned.events)
	require.NotEmpty(t, plain)
	for where, pb := range plain {
		assert.NotContains(t, pb.HLS, "?", where)
		assert.NotContains(t, pb.DASH, "?", where)
	}
	for _, typ := range []string{edgetoken.TypeSecureToken, edgetoken.TypeJWT} {
		t.Run(typ, func(t *testing.T) {
			sg, err := edgetoken.NewSigner(typ, playbackKey(typ), "vftoken", time.Hour)
			require.NoError(t, err)
			run := runCallbackLoop(t, map[string]any{"PLAYBACK_TOKEN_KEY": playbackKey(typ), "PLAYBACK_TOKEN_TYPE": typ,
				"PLAYBACK_TOKEN_NAME": "vftoken", "PLAYBACK_TOKEN_TTL": "2h"}, &sg)
			assert.Equal(t, eventIDs(unsigned.events), eventIDs(run.events), "signing changes no event id")
			urls := playbackURLs(run.events)
			require.Len(t, urls, len(plain), "the same places carry URLs")
			var adaptive int
			for where, pb := range urls {
				require.NotNil(t, plain[where], where)
				for _, pair := range [][2]string{{pb.HLS, plain[where].HLS}, {pb.DASH, plain[where].DASH}} {
					signed, bare := pair[0], pair[1]
					require.True(t, strings.HasPrefix(signed, bare+"?vftoken="), "%s: %s is %s signed", where, signed, bare)
					code, body := get(t, onEmulatorEdge(t, run.vod.URL, bare))
					assert.Equal(t, http.StatusForbidden, code, "%s: the unsigned URL is refused: %s", where, body)
				}
				p := playHLS(t, onEmulatorEdge(t, run.vod.URL, pb.HLS))
				assert.Empty(t, p.Refused, "%s: %s", where, pb.HLS)
				assert.GreaterOrEqual(t, p.Fetched(), 3, where)
				if ffmpegOption() == "" {
					assert.Empty(t, p.NoMedia, "%s: real segments with ffmpeg", where)
				}
				code, body := get(t, onEmulatorEdge(t, run.vod.URL, pb.DASH))
				assert.Equal(t, http.StatusOK, code, "%s: %s", where, body)
				if strings.Contains(pb.HLS, ".smil/master.m3u8") {
					adaptive++
				}
			}
			assert.GreaterOrEqual(t, adaptive, 1, "file_complete's adaptive URL is among them")
			assertNoPrefix(t, []string{playbackKey(typ), secretKey, callbackToken, webhookSecret},
				append(run.bodies, run.logs, run.result)...)
		})
	}
}
