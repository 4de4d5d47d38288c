package callback_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
	"github.com/vodflow/vodflow/pkg/webhooktest"
)

// fakeParams are the raw web action parameters for a POST of body to the
// callback action bound to the VOD Station at apiURL and receiver.
func fakeParams(t *testing.T, apiURL string, receiver *webhooktest.Receiver, body string, extra map[string]any) []byte {
	t.Helper()
	p := map[string]any{
		"NCLOUD_ACCESS_KEY": cbAK, "NCLOUD_SECRET_KEY": cbSK, "API_URL": apiURL,
		"CALLBACK_TOKEN": cbToken, "WEBHOOK_URL": receiver.URL + "/hook", "WEBHOOK_SECRET": cbSecret,
		"PLAYBACK_DOMAIN": cbEdge, "ENCRYPTED_BUCKET_NAME": cbEncrypt,
		"__ow_method": "post", "__ow_headers": map[string]string{"content-type": "application/json"},
		"__ow_path": "", "__ow_query": "token=" + cbToken, "__ow_body": body,
	}
	for k, v := range extra {
		if v == nil {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	return b
}

// TestCallbackVerifiedFields: with VERIFY_STATUS, what the events name
// comes from VOD Station where it says it (the file's path in its own
// form, the category, the rendition's output type), and from the callback
// where VOD Station says nothing.
func TestCallbackVerifiedFields(t *testing.T) {
	link := slDir + "clip_" + slSD + ".mp4"
	out := map[string]any{"encodingOptionId": 1, "outputType": slSD, "status": "COMPLETE", "link": link}
	for _, tt := range []struct {
		name string
		info map[string]any
		body string
		want webhook.Event // the fields compared
		typ  string        // the rendition's output type
	}{
		{"VOD Station says everything",
			map[string]any{"input": map[string]any{"fileId": 5, "bucketName": "in-bucket", "filePath": "in/clip.mp4"}, "categoryId": 7, "categoryName": "movies", "output": []any{out}},
			`{"fileId":5,"encodingOptionId":1,"status":"COMPLETE","link":"` + link + `","filePath":"/in/clip.mp4"}`,
			webhook.Event{Key: "in/clip.mp4", CategoryID: "7", CategoryName: "movies", BucketName: "in-bucket"}, slSD},
		{"VOD Station says only the renditions",
			map[string]any{"input": map[string]any{"fileId": 5}, "output": []any{out}},
			`{"fileId":5,"categoryId":7,"categoryName":"movies","encodingOptionId":1,"outputType":"` + slSD + `","status":"COMPLETE","link":"` + link + `","filePath":"in/clip.mp4"}`,
			webhook.Event{Key: "in/clip.mp4", CategoryID: "7", CategoryName: "movies"}, slSD},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newStatusListServer(t, tt.info, nil, 0)
			receiver := webhooktest.NewReceiver(cbSecret)
			t.Cleanup(receiver.Close)
			code, a := call(t, callback.New(), fakeParams(t, srv.URL, receiver, tt.body, map[string]any{"VERIFY_STATUS": true}))
			require.Equal(t, 200, code, a.Error)
			evs := receiver.EventsOf(webhook.TypeRenditionComplete)
			require.Len(t, evs, 1)
			ev := evs[0]
			assert.Equal(t, tt.want.Key, ev.Key)
			assert.Equal(t, tt.want.CategoryID, ev.CategoryID)
			assert.Equal(t, tt.want.CategoryName, ev.CategoryName)
			assert.Equal(t, tt.want.BucketName, ev.BucketName)
			require.NotNil(t, ev.Rendition)
			assert.Equal(t, tt.typ, ev.Rendition.OutputType)
			assert.Equal(t, link, ev.Rendition.Link)
		})
	}
}

// TestCallbackFailureReasonUnreadable: a FAILURE callback reads the file's
// status for VOD Station's reason; when it cannot be read the event is
// still sent, and the answer says why it has no reason; when it can, no
// warning is given.
func TestCallbackFailureReasonUnreadable(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	code, a := call(t, callback.New(), l.request("token="+cbToken, cbBody(999999, "FAILURE"), nil))
	require.Equal(t, 200, code, a.Error)
	require.Len(t, a.Events, 1)
	assert.Equal(t, webhook.TypeEncodingFailed, a.Events[0].Type)
	require.Len(t, a.Warnings, 1)
	assert.Contains(t, a.Warnings[0], "no failure reason: ")

	srv := newStatusListServer(t, map[string]any{"input": map[string]any{"fileId": 5}, "output": []any{}}, nil, 0)
	receiver := webhooktest.NewReceiver(cbSecret)
	t.Cleanup(receiver.Close)
	code, a = call(t, callback.New(), fakeParams(t, srv.URL, receiver, `{"fileId":5,"encodingOptionId":1,"status":"FAILURE"}`, nil))
	require.Equal(t, 200, code, a.Error)
	require.Len(t, a.Events, 1)
	assert.Empty(t, a.Warnings)
}

// TestCallbackChannelFillsWhatIsMissing: with CHANNEL_ID, a playback
// domain or encrypted bucket that is not set comes from the channel even
// when PLAYBACK_PROTOCOLS is set; a channel without a CDN domain gives no
// URL and says why.
func TestCallbackChannelFillsWhatIsMissing(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	body := `{"fileId":5,"encodingOptionId":1,"outputType":"AVC_SD_1Pass_30fps","status":"COMPLETE","link":"` + signLink + `"}`
	for _, tt := range []struct {
		name  string
		extra map[string]any
		hls   string
	}{
		{"the bucket from the channel", map[string]any{"PLAYBACK_DOMAIN": "cdn.example.com", "PLAYBACK_PROTOCOLS": "HLS"},
			"https://cdn.example.com/hls/" + cbEncrypt + "/encoded/movies/a_AVC_SD_1Pass_30fps.mp4/index.m3u8"},
		{"the domain from the channel", map[string]any{"ENCRYPTED_BUCKET_NAME": "xyz", "PLAYBACK_PROTOCOLS": "HLS"},
			"https://" + cbEdge + "/hls/xyz/encoded/movies/a_AVC_SD_1Pass_30fps.mp4/index.m3u8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, a := call(t, callback.New(), l.request("token="+cbToken, body, tt.extra))
			require.Equal(t, 200, code, a.Error)
			require.NotNil(t, a.Playback, "warnings: %q", a.Warnings)
			assert.Equal(t, tt.hls, a.Playback.HLS)
		})
	}

	t.Run("a channel without a CDN domain", func(t *testing.T) {
		ch := l.vod.AddChannel(vodstationtest.Channel{Name: "bare", StorageBucketName: "out-bucket", EncryptedBucketName: cbEncrypt, ProtocolList: []string{"HLS"}})
		code, a := call(t, callback.New(), l.request("token="+cbToken, body, map[string]any{"CHANNEL_ID": ch.ID}))
		require.Equal(t, 200, code, a.Error)
		assert.Nil(t, a.Playback)
		var said []string
		for _, w := range a.Warnings {
			if strings.HasPrefix(w, "no playback URLs: ") {
				said = append(said, w)
			}
		}
		require.Len(t, said, 1, "warnings: %q", a.Warnings)
		assert.NotContains(t, said[0], "set PLAYBACK_DOMAIN and ENCRYPTED_BUCKET_NAME, or CHANNEL_ID", "the channel was read: what is wrong is its domain")
		assert.Contains(t, said[0], "domain")
	})

	t.Run("nothing to play from", func(t *testing.T) {
		code, a := call(t, callback.New(), l.request("token="+cbToken, body, map[string]any{"CHANNEL_ID": nil}))
		require.Equal(t, 200, code, a.Error)
		assert.Nil(t, a.Playback)
		assert.Contains(t, a.Warnings, "no playback URLs: set PLAYBACK_DOMAIN and ENCRYPTED_BUCKET_NAME, or CHANNEL_ID")
	})
}
