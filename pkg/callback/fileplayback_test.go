package callback_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/edgetoken"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

func fpOut(id int, outputType, status string, link bool) map[string]any {
	o := map[string]any{"encodingOptionId": id, "outputType": outputType, "status": status}
	if link {
		o["link"] = slDir + "clip_" + outputType + ".mp4"
	}
	return o
}

func fpConfig(t *testing.T, apiURL string) callback.Config {
	t.Helper()
	cfg := callback.Config{API: config.API{AccessKey: cbAK, SecretKey: signing.NewSecret(cbSK), APIURL: param.String(apiURL)},
		PlaybackDomain: cbEdge, EncryptedBucket: cbEncrypt}
	require.NoError(t, cfg.Validate())
	return cfg
}

// TestFilePlayback: a COMPLETE file's playback is what file_complete would
// carry: the adaptive URL over its renditions and each rendition's own,
// signed when a Sign is given (with the tokens and their expiry); a file
// that is unknown, not complete, failed, without renditions or links, or
// that no configuration can place is refused with the status that says
// so, naming the file.
func TestFilePlayback(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	info := func(outs ...map[string]any) map[string]any {
		return map[string]any{"input": map[string]any{"fileId": 5, "bucketName": "in-bucket", "filePath": "encoded/clip.mp4"},
			"categoryId": 7, "output": outs}
	}
	const smil = "https://" + cbEdge + "/hls/" + cbEncrypt + "/encoded/movies/clip_,AVC_SD_1Pass_30fps,AVC_HD_1Pass_30fps,.mp4.smil/master.m3u8"

	t.Run("complete, signed", func(t *testing.T) {
		srv := newStatusListServer(t, info(fpOut(1, slSD, "COMPLETE", true), fpOut(2, slHD, "complete", true)), nil, 0)
		sg, err := edgetoken.NewSigner(edgetoken.TypeSecureToken, signKey, "", time.Hour)
		require.NoError(t, err)
		fp, err := callback.New().FilePlayback(context.Background(), fpConfig(t, srv.URL), "5", &callback.Sign{Signer: sg, At: at})
		require.NoError(t, err)
		assert.Empty(t, fp.Warnings)
		require.NotNil(t, fp.Playback)
		u, err := url.Parse(fp.Playback.HLS)
		require.NoError(t, err)
		assert.Equal(t, smil, strings.Split(fp.Playback.HLS, "?")[0])
		tok := edgetoken.FromRequest(sg.Name, u.RawQuery, "")
		require.NotEmpty(t, tok)
		assert.NoError(t, sg.Verify(tok, edgetoken.Request{Path: u.EscapedPath(), Now: at.Add(time.Minute)}))
		assert.Contains(t, fp.Public, tok)
		require.Len(t, fp.Renditions, 2)
		assert.Equal(t, slSD, fp.Renditions[0].OutputType)
		assert.Equal(t, slHD, fp.Renditions[1].OutputType)
		for _, r := range fp.Renditions {
			require.NotNil(t, r.Playback)
			assert.Contains(t, r.Playback.HLS, "?"+sg.Name+"=")
		}
		assert.Len(t, fp.Public, 4, "the adaptive URL, each rendition's, and the first rendition's again (the callback's own)")
		assert.Equal(t, at.Add(time.Hour), fp.ExpiresAt)
	})

	t.Run("complete, unsigned; the first rendition with a link names the callback", func(t *testing.T) {
		srv := newStatusListServer(t, info(fpOut(1, slSD, "COMPLETE", true), fpOut(2, slHD, "COMPLETE", true)), nil, 0)
		fp, err := callback.New().FilePlayback(context.Background(), fpConfig(t, srv.URL), "5", nil)
		require.NoError(t, err)
		require.NotNil(t, fp.Playback)
		assert.Equal(t, smil, fp.Playback.HLS)
		assert.Empty(t, fp.Public)
		assert.True(t, fp.ExpiresAt.IsZero())
	})

	for _, tt := range []struct {
		name   string
		outs   []map[string]any
		status int
		msg    string
	}{
		{"a rendition failed", []map[string]any{fpOut(1, slSD, "COMPLETE", true), fpOut(2, slHD, "FAILURE", false), fpOut(3, slFHD, "CANCELED", false)},
			http.StatusConflict, "file 5 did not encode: rendition " + slHD + ", " + slFHD + " failed"},
		{"a failed rendition without an output type", []map[string]any{fpOut(1, slSD, "COMPLETE", true), {"encodingOptionId": 9, "status": "FAILURE"}},
			http.StatusConflict, "file 5 did not encode: rendition 9 failed"},
		{"a rendition running", []map[string]any{fpOut(1, slSD, "COMPLETE", true), fpOut(2, slHD, "RUNNING", false), {"encodingOptionId": 4, "status": "WAITING"}},
			http.StatusConflict, "file 5 is not complete yet: " + slHD + " RUNNING, 4 WAITING"},
		{"no link", []map[string]any{fpOut(1, slSD, "COMPLETE", false)},
			http.StatusConflict, "file 5 is not complete yet: no rendition has a link"},
		{"no rendition", []map[string]any{},
			http.StatusConflict, "file 5 has no rendition yet"},
		{"the first rendition without a link: no adaptive URL, none of its own", []map[string]any{fpOut(1, slSD, "COMPLETE", false), fpOut(2, slHD, "COMPLETE", true)},
			http.StatusInternalServerError, "no playback URL for file 5: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newStatusListServer(t, info(tt.outs...), nil, 0)
			fp, err := callback.New().FilePlayback(context.Background(), fpConfig(t, srv.URL), "5", nil)
			assertRefusal(t, err, tt.status, tt.msg)
			assert.Nil(t, fp.Playback)
		})
	}

	t.Run("a file VOD Station does not know", func(t *testing.T) {
		l := newLoop(t, vodstationtest.Options{})
		_, err := callback.New().FilePlayback(context.Background(), fpConfig(t, l.vod.URL), "999999", nil)
		assertRefusal(t, err, http.StatusNotFound, "VOD Station has no file 999999")
	})
	t.Run("the API cannot be read", func(t *testing.T) {
		l := newLoop(t, vodstationtest.Options{})
		cfg := fpConfig(t, l.vod.URL)
		cfg.API.SecretKey = signing.NewSecret("not-the-secret-key-0123456789")
		_, err := callback.New().FilePlayback(context.Background(), cfg, "5", nil)
		assertRefusal(t, err, http.StatusBadGateway, "could not read file 5 from the status API: ")
	})
	t.Run("no API", func(t *testing.T) {
		cfg := fpConfig(t, "https://vodstation.example.com")
		cfg.API.AccessKey = ""
		_, err := callback.New().FilePlayback(context.Background(), cfg, "5", nil)
		assertRefusal(t, err, http.StatusInternalServerError, "the status API needs NCLOUD_ACCESS_KEY and NCLOUD_SECRET_KEY")
	})
	t.Run("nowhere to play from", func(t *testing.T) {
		srv := newStatusListServer(t, info(fpOut(1, slSD, "COMPLETE", true)), nil, 0)
		cfg := fpConfig(t, srv.URL)
		cfg.PlaybackDomain, cfg.EncryptedBucket = "", ""
		_, err := callback.New().FilePlayback(context.Background(), cfg, "5", nil)
		assertRefusal(t, err, http.StatusInternalServerError, "no playback URL: no playback URLs: set PLAYBACK_DOMAIN and ENCRYPTED_BUCKET_NAME, or CHANNEL_ID")
	})
}

func assertRefusal(t *testing.T, err error, status int, msg string) {
	t.Helper()
	var r *callback.Refusal
	require.True(t, errors.As(err, &r), "a refusal: %v", err)
	assert.Equal(t, status, r.Status, r.Message)
	assert.True(t, strings.HasPrefix(r.Message, msg), "%q starts with %q", r.Message, msg)
	assert.NotEmpty(t, r.FileID)
}
