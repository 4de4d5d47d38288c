package actions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/edgetoken"
	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

const (
	// playbackURLToken and the token keys are sentinels: they must never
	// appear in any output.
	playbackURLToken = "PU-TOKEN-SENTINEL-a07c55"
	// playbackKeyHex is a Secure Token key as the console issues it (hex).
	playbackKeyHex = "5ec7e75ec7e75ec7e75ec7e75ec7e7aa"
	// playbackJWTKey is a JWT secret.
	playbackJWTKey = "JWTKEY-SENTINEL-6d2b90"
)

// playbackKey is the PLAYBACK_TOKEN_KEY of a token type.
func playbackKey(typ string) string {
	if typ == edgetoken.TypeJWT {
		return playbackJWTKey
	}
	return playbackKeyHex
}

// playbackEnv is VOD Station with a channel (HLS and DASH) whose edge
// checks tokens signed with the key, and playback-url behind a loopback
// gateway, through the shipped binary.
type playbackEnv struct {
	vod     *vodstationtest.Server
	plat    *localrun.Platform
	logs    *syncBuffer
	gateway *httptest.Server
	signer  edgetoken.Signer
}

// ffmpegOption is "" (encode with ffmpeg, so segments are real) when
// ffmpeg is on the PATH, else "none" (segments answer 404 after the
// token check passed).
func ffmpegOption() string {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return "none"
	}
	return ""
}

func setupPlayback(t *testing.T, typ string, opts vodstationtest.Options, overrides map[string]any) *playbackEnv {
	t.Helper()
	sg, err := edgetoken.NewSigner(typ, playbackKey(typ), "", time.Hour)
	require.NoError(t, err)
	opts.AccessKey, opts.SecretKey, opts.EdgeToken = accessKey, secretKey, &sg
	if opts.FFmpeg == "" {
		opts.FFmpeg = ffmpegOption()
	}
	opts.Source = vodstationtest.SourceMetadata{DurationS: 2, Width: 1280, Height: 720}
	vod, err := vodstationtest.NewServer(opts)
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	vod.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: "out", OutputPath: "encoded"})
	ch := vod.AddChannel(vodstationtest.Channel{Name: "movies", StorageBucketName: "out", EncryptedBucketName: "encX",
		CDNDomain: "movies.edge.naverncp.com", ProtocolList: []string{"HLS", "DASH"}})
	params := map[string]any{"PLAYBACK_URL_TOKEN": playbackURLToken, "CHANNEL_ID": ch.ID,
		"PLAYBACK_TOKEN_KEY": playbackKey(typ), "PLAYBACK_TOKEN_TYPE": typ}
	for k, v := range overrides {
		setOrDelete(params, k, v)
	}
	e := &playbackEnv{vod: vod, signer: sg}
	e.plat, e.logs = newPlatform(t,
		map[string]any{"NCLOUD_ACCESS_KEY": accessKey, "NCLOUD_SECRET_KEY": secretKey, "API_URL": vod.URL, "REGION": "KR"},
		map[string]map[string]any{"playback-url": params})
	e.gateway = httptest.NewServer(e.plat.WebHandler("playback-url", "/playback-url"))
	t.Cleanup(e.gateway.Close)
	t.Cleanup(func() {
		assertNoSecretPrefix(t, []string{playbackURLToken, playbackKeyHex, playbackJWTKey, secretKey}, e.logs.String())
	})
	return e
}

// submit has add-files (the shipped binary) submit key to the category,
// waits until its encoding is over and returns its file id.
func (e *playbackEnv) submit(t *testing.T, key string, wait bool) string {
	t.Helper()
	res, err := e.plat.Invoke(context.Background(), "add-files", map[string]any{"NCLOUD_ACCESS_KEY": accessKey,
		"NCLOUD_SECRET_KEY": secretKey, "API_URL": e.vod.URL, "category_id": "1", "bucket_name": bucket, "file_name": key})
	require.NoError(t, err)
	require.NotContains(t, res, "error", "%v", res)
	id := fmt.Sprint(res["files"].([]any)[0].(map[string]any)["file_id"])
	if wait {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, e.vod.WaitIdle(ctx))
	}
	return id
}

// ask sends a request to playback-url and returns the status, headers and
// decoded body; no answer carries a secret.
func (e *playbackEnv) ask(t *testing.T, method, token, query string, body any) (int, http.Header, map[string]any) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(t, err)
		r = bytes.NewReader(raw)
	}
	u := e.gateway.URL + "/playback-url"
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(method, u, r)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assertNoSecretPrefix(t, []string{playbackURLToken, playbackKeyHex, playbackJWTKey, secretKey}, string(raw))
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out), "answer %d %s", resp.StatusCode, raw)
	return resp.StatusCode, resp.Header, out
}

// onEmulatorEdge is u (a Global Edge URL) on the emulator's edge: its
// scheme and host replaced, its path and query (the token) kept.
func onEmulatorEdge(t *testing.T, edge, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	require.NoError(t, err)
	e, err := url.Parse(edge)
	require.NoError(t, err)
	p.Scheme, p.Host = e.Scheme, e.Host
	return p.String()
}

// get GETs u and returns the status and body.
func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// playHLS plays an HLS stream as hls.js with an xhrSetup that appends the
// master URL's query does (vodstationtest.PlayHLS).
func playHLS(t *testing.T, master string) vodstationtest.Play {
	t.Helper()
	p, err := vodstationtest.PlayHLS(master, vodstationtest.PlayOptions{CarryQuery: true})
	require.NoError(t, err)
	return p
}

// tokenOf is the token the URL carries in the signer's parameter.
func tokenOf(t *testing.T, sg edgetoken.Signer, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	require.NoError(t, err)
	return edgetoken.FromRequest(sg.Name, p.RawQuery, "")
}

// TestPlaybackURLSignsForTheEdge: for a complete file, playback-url (the
// shipped binary) answers the adaptive HLS and DASH URLs and each
// rendition's, signed; the emulator's edge, checking tokens with the same
// key, serves the master, every variant playlist and segment with the
// token carried, and the DASH manifest; expires_at is the ttl asked for.
func TestPlaybackURLSignsForTheEdge(t *testing.T) {
	for _, typ := range []string{edgetoken.TypeSecureToken, edgetoken.TypeJWT} {
		t.Run(typ, func(t *testing.T) {
			e := setupPlayback(t, typ, vodstationtest.Options{}, nil)
			id := e.submit(t, "uploads/trailer.mp4", true)
			for _, tc := range []struct {
				name, method, query string
				body                any
				ttl                 time.Duration
			}{
				{"GET, the default ttl", http.MethodGet, "file_id=" + id, nil, 6 * time.Hour},
				{"GET ttl=2h", http.MethodGet, "file_id=" + id + "&ttl=2h", nil, 2 * time.Hour},
				{"GET ttl in seconds", http.MethodGet, "file_id=" + id + "&ttl=600", nil, 10 * time.Minute},
				{"POST", http.MethodPost, "", map[string]any{"file_id": id, "ttl": "90m"}, 90 * time.Minute},
				{"POST, file_id a number", http.MethodPost, "", map[string]any{"file_id": json.Number(id)}, 6 * time.Hour},
			} {
				t.Run(tc.name, func(t *testing.T) {
					asked := time.Now()
					status, h, a := e.ask(t, tc.method, playbackURLToken, tc.query, tc.body)
					require.Equal(t, http.StatusOK, status, "%v", a)
					assert.Equal(t, "no-store", h.Get("Cache-Control"))
					assert.Equal(t, id, a["file_id"])
					exp, err := time.Parse(time.RFC3339, a["expires_at"].(string))
					require.NoError(t, err)
					assert.WithinDuration(t, asked.Add(tc.ttl), exp, 3*time.Second, "expires_at is the ttl from now")

					pb := a["playback"].(map[string]any)
					hls, dash := pb["hls"].(string), pb["dash"].(string)
					assert.True(t, strings.HasPrefix(hls, "https://movies.edge.naverncp.com/hls/encX/encoded/movies/trailer_,"), hls)
					assert.Contains(t, hls, ".mp4.smil/master.m3u8?"+e.signer.Name+"=")
					assert.Contains(t, dash, ".mp4.smil/manifest.mpd?"+e.signer.Name+"=")
					if typ == edgetoken.TypeSecureToken {
						assert.Contains(t, tokenOf(t, e.signer, hls), "exp="+strconv.FormatInt(exp.Unix(), 10)+"~acl=", "the token's expiry is expires_at")
					}

					p := playHLS(t, onEmulatorEdge(t, e.vod.URL, hls))
					assert.Empty(t, p.Refused, "every playlist and segment plays with the token carried")
					if ffmpegOption() == "" {
						assert.Empty(t, p.NoMedia, "with ffmpeg every segment is real media")
					}
					assert.GreaterOrEqual(t, p.Fetched(), 1+2+2*2, "the master, 2 variants, their init and segments")
					code, body := get(t, onEmulatorEdge(t, e.vod.URL, dash))
					assert.Equal(t, http.StatusOK, code, body)
					assert.Contains(t, body, "<MPD")

					rs := a["renditions"].([]any)
					require.Len(t, rs, 2)
					for _, r := range rs {
						rp := r.(map[string]any)["playback"].(map[string]any)
						rh := rp["hls"].(string)
						assert.Contains(t, rh, "/index.m3u8?"+e.signer.Name+"=")
						p := playHLS(t, onEmulatorEdge(t, e.vod.URL, rh))
						assert.Empty(t, p.Refused, "rendition %s", rh)
						assert.GreaterOrEqual(t, p.Fetched(), 2)
						code, body := get(t, onEmulatorEdge(t, e.vod.URL, rp["dash"].(string)))
						assert.Equal(t, http.StatusOK, code, body)
					}

					// The unsigned path, and the DASH token on HLS, are refused.
					code, body = get(t, onEmulatorEdge(t, e.vod.URL, strings.Split(hls, "?")[0]))
					assert.Equal(t, http.StatusForbidden, code, body)
					dashQuery := dash[strings.Index(dash, "?"):]
					code, body = get(t, onEmulatorEdge(t, e.vod.URL, strings.Split(hls, "?")[0]+dashQuery))
					assert.Equal(t, http.StatusForbidden, code, body)
					assert.Contains(t, body, "does not cover")
				})
			}
		})
	}
}

// TestPlaybackURLBindsTheViewerIP: with ip, the token plays for that
// viewer (the test's loopback address) and is refused from another.
func TestPlaybackURLBindsTheViewerIP(t *testing.T) {
	for _, typ := range []string{edgetoken.TypeSecureToken, edgetoken.TypeJWT} {
		t.Run(typ, func(t *testing.T) {
			e := setupPlayback(t, typ, vodstationtest.Options{FFmpeg: "none"}, nil)
			id := e.submit(t, "uploads/trailer.mp4", true)
			status, _, a := e.ask(t, http.MethodGet, playbackURLToken, "file_id="+id+"&ip=127.0.0.1", nil)
			require.Equal(t, http.StatusOK, status, "%v", a)
			here := a["playback"].(map[string]any)["hls"].(string)
			p := playHLS(t, onEmulatorEdge(t, e.vod.URL, here))
			assert.Empty(t, p.Refused)
			assert.GreaterOrEqual(t, p.Fetched(), 3)

			status, _, a = e.ask(t, http.MethodPost, playbackURLToken, "", map[string]any{"file_id": id, "ip": "203.0.113.7"})
			require.Equal(t, http.StatusOK, status, "%v", a)
			there := a["playback"].(map[string]any)["hls"].(string)
			assert.NotEqual(t, tokenOf(t, e.signer, here), tokenOf(t, e.signer, there))
			code, body := get(t, onEmulatorEdge(t, e.vod.URL, there))
			assert.Equal(t, http.StatusForbidden, code, "a token bound to another viewer")
			assert.Contains(t, body, "client IP")
		})
	}
}

// TestPlaybackURLRefusals: each refusal README documents, with its status
// and a message naming what is wrong.
func TestPlaybackURLRefusals(t *testing.T) {
	e := setupPlayback(t, edgetoken.TypeSecureToken, vodstationtest.Options{FFmpeg: "none"}, nil)
	done := e.submit(t, "uploads/trailer.mp4", true)
	failed := e.submit(t, "uploads/will-fail.mp4", true)
	slow := setupPlayback(t, edgetoken.TypeSecureToken, vodstationtest.Options{FFmpeg: "none", CallbackDelay: time.Hour}, nil)
	waiting := slow.submit(t, "uploads/trailer.mp4", false)
	noToken := setupPlayback(t, edgetoken.TypeSecureToken, vodstationtest.Options{FFmpeg: "none"}, map[string]any{"PLAYBACK_URL_TOKEN": nil})
	noKey := setupPlayback(t, edgetoken.TypeSecureToken, vodstationtest.Options{FFmpeg: "none"}, map[string]any{"PLAYBACK_TOKEN_KEY": nil})
	noKeyID := noKey.submit(t, "uploads/trailer.mp4", true)
	down := setupPlayback(t, edgetoken.TypeSecureToken, vodstationtest.Options{FFmpeg: "none"}, nil)
	downID := down.submit(t, "uploads/trailer.mp4", true)
	down.vod.InjectFault(vodstationtest.Fault{Method: http.MethodGet, Path: "/api/v2", Status: http.StatusServiceUnavailable, Body: "{}"})

	for _, tc := range []struct {
		name   string
		env    *playbackEnv
		method string
		token  string
		query  string
		body   any
		status int
		says   string
	}{
		{"no token", e, "GET", "", "file_id=" + done, nil, 401, "PLAYBACK_URL_TOKEN as a bearer token (the Authorization header)"},
		{"wrong token", e, "GET", "wrong", "file_id=" + done, nil, 401, "PLAYBACK_URL_TOKEN as a bearer token (the Authorization header)"},
		{"token prefix", e, "GET", playbackURLToken[:len(playbackURLToken)-1], "file_id=" + done, nil, 401, "PLAYBACK_URL_TOKEN as a bearer token (the Authorization header)"},
		{"token with more", e, "GET", playbackURLToken + "x", "file_id=" + done, nil, 401, "PLAYBACK_URL_TOKEN as a bearer token (the Authorization header)"},
		{"no file_id", e, "GET", playbackURLToken, "", nil, 400, "file_id is required"},
		{"file_id not a number", e, "GET", playbackURLToken, "file_id=abc", nil, 400, `file_id "abc"`},
		{"file_id negative", e, "POST", playbackURLToken, "", map[string]any{"file_id": -3}, 400, `file_id "-3"`},
		{"ttl not a duration", e, "GET", playbackURLToken, "file_id=" + done + "&ttl=soon", nil, 400, `ttl "soon"`},
		{"ttl under a minute", e, "GET", playbackURLToken, "file_id=" + done + "&ttl=30s", nil, 400, `ttl "30s"`},
		{"ttl over 720h", e, "POST", playbackURLToken, "", map[string]any{"file_id": done, "ttl": "721h"}, 400, `ttl "721h"`},
		{"ip not an address", e, "GET", playbackURLToken, "file_id=" + done + "&ip=viewer", nil, 400, `ip "viewer"`},
		{"body not JSON", e, "POST", playbackURLToken, "", "file_id=1", 400, "body: want a JSON object"},
		{"unknown file", e, "GET", playbackURLToken, "file_id=999999", nil, 404, "no file 999999"},
		{"PUT", e, "PUT", playbackURLToken, "file_id=" + done, nil, 405, "method PUT not allowed"},
		{"DELETE", e, "DELETE", playbackURLToken, "file_id=" + done, nil, 405, "method DELETE not allowed"},
		{"not complete", slow, "GET", playbackURLToken, "file_id=" + waiting, nil, 409, "not complete yet"},
		{"failed", e, "GET", playbackURLToken, "file_id=" + failed, nil, 409, "did not encode"},
		{"no PLAYBACK_URL_TOKEN", noToken, "GET", playbackURLToken, "file_id=" + done, nil, 500, "PLAYBACK_URL_TOKEN is not set"},
		{"no PLAYBACK_TOKEN_KEY", noKey, "GET", playbackURLToken, "file_id=" + noKeyID, nil, 500, "PLAYBACK_TOKEN_KEY is not set"},
		{"status API down", down, "GET", playbackURLToken, "file_id=" + downID, nil, 502, "status API"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(tc.env.vod.Calls())
			status, h, a := tc.env.ask(t, tc.method, tc.token, tc.query, tc.body)
			assert.Equal(t, tc.status, status, "%v", a)
			require.Contains(t, a, "error", "%v", a)
			assert.NotContains(t, a, "playback")
			assert.Contains(t, a["error"], tc.says)
			if tc.status == 401 {
				assert.Equal(t, "Bearer", h.Get("WWW-Authenticate"))
			}
			if tc.status == 401 || tc.status == 400 || tc.status == 405 || tc.status == 500 {
				assert.Len(t, tc.env.vod.Calls(), before, "refused before any API call")
			}
		})
	}
}
