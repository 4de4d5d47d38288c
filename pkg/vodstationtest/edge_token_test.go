package vodstationtest

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/edgetoken"
	"github.com/vodflow/vodflow/pkg/playback"
)

// signedFixture is an edge fixture with signed playback on, and the
// signer viewers' URLs are signed with.
func signedFixture(t *testing.T, typ string, opts Options) (edgeFixture, edgetoken.Signer) {
	t.Helper()
	sg, err := edgetoken.NewSigner(typ, "52a152a152a152a152a152a152a152a1", "", time.Hour)
	require.NoError(t, err)
	opts.EdgeToken = &sg
	return newEdgeFixture(t, opts), sg
}

// signPlayback signs u as encoding-callback does (playback.Scope), at fixedNow.
func signPlayback(t *testing.T, sg edgetoken.Signer, u, ip string, at time.Time) (string, string) {
	t.Helper()
	scope, err := playback.Scope(u)
	require.NoError(t, err)
	signed, tok, _, err := sg.SignURL(u, scope, at, ip)
	require.NoError(t, err)
	return signed, tok
}

// fetch GETs u with an optional cookie and returns the status and body.
func fetch(t *testing.T, u, cookie string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// play plays master with PlayHLS.
func play(t *testing.T, master string, o PlayOptions) Play {
	t.Helper()
	p, err := PlayHLS(master, o)
	require.NoError(t, err)
	return p
}

// TestEdgeChecksTokens: with signed playback on, every manifest and
// segment needs a valid token, in the query or a cookie; each refusal is a
// 403 saying why.
func TestEdgeChecksTokens(t *testing.T) {
	for _, typ := range []string{edgetoken.TypeSecureToken, edgetoken.TypeJWT} {
		t.Run(typ, func(t *testing.T) {
			fx, sg := signedFixture(t, typ, Options{FFmpeg: "none"})
			master, tok := signPlayback(t, sg, fx.master, "", fixedNow)
			index, itok := signPlayback(t, sg, fx.index[0], "", fixedNow)
			segment := strings.Replace(fx.index[0], "index.m3u8", "seg0.m4s", 1)
			other, err := edgetoken.NewSigner(typ, "0123456789abcdef", "", time.Hour)
			require.NoError(t, err)
			wrongKey, _ := signPlayback(t, other, fx.master, "", fixedNow)
			bound, _ := signPlayback(t, sg, fx.master, "198.51.100.9", fixedNow)
			expired, _ := signPlayback(t, sg, fx.master, "", fixedNow.Add(-2*time.Hour))
			tampered := strings.Replace(master, tok, tok[:len(tok)-2]+map[bool]string{true: "AA", false: "BB"}[strings.HasSuffix(tok, "BB")], 1)
			for _, tc := range []struct {
				name, url, cookie string
				want              int
				says              string
			}{
				{"signed master", master, "", 200, "#EXTM3U"},
				{"signed variant", index, "", 200, "#EXTM3U"},
				{"cookie instead of the query", fx.master, sg.Name + "=" + tok, 200, "#EXTM3U"},
				{"the master's token on a segment of its stream", segment + "?" + sg.Name + "=" + tok, "", 404, "ffmpeg"},
				{"no token", fx.master, "", 403, "no " + sg.Name + " token"},
				{"no token on a segment", segment, "", 403, "no " + sg.Name + " token"},
				{"tampered", tampered, "", 403, ""},
				{"another key", wrongKey, "", 403, "signature"},
				{"another viewer IP", bound, "", 403, "client IP"},
				{"expired", expired, "", 403, "expired"},
				{"a rendition's token on the master", fx.master + "?" + sg.Name + "=" + itok, "", 403, "does not cover"},
				{"on DASH", fx.dash + "?" + sg.Name + "=" + tok, "", 403, "does not cover"},
			} {
				code, body := fetch(t, tc.url, tc.cookie)
				assert.Equal(t, tc.want, code, "%s: %s", tc.name, body)
				assert.Contains(t, body, tc.says, tc.name)
			}
			// The poster is on the storage host's paths, not protected.
			code, _ := fetch(t, fx.poster, "")
			assert.Equal(t, 200, code)
		})
	}
}

// TestEdgeSignedStreamPlaysWhenTheTokenTravels: like Global Edge (which
// rewrites no playlist), the edge does not carry the master's token to
// child requests: a player that sends only the master URL is refused at
// the first variant; one that appends the master URL's query to every
// request, or sends the cookie, plays every playlist and segment.
func TestEdgeSignedStreamPlaysWhenTheTokenTravels(t *testing.T) {
	fx, sg := signedFixture(t, edgetoken.TypeSecureToken, Options{FFmpeg: "none"})
	master, tok := signPlayback(t, sg, fx.master, "127.0.0.1", fixedNow)
	bare := play(t, master, PlayOptions{})
	require.NotEmpty(t, bare.Refused)
	assert.Contains(t, bare.Refused[0], "403 /hls/ENC/enc/movies/clip%20one_AVC_SD_1Pass_30fps.mp4/index.m3u8")
	assert.Equal(t, 1, bare.Served, "the master only")
	// Without ffmpeg the segments answer 404 after the token check passed:
	// a 404 (not 403) past the playlists is the media missing, not the token.
	for name, o := range map[string]PlayOptions{
		"the master's query carried": {CarryQuery: true},
		"the token as a cookie":      {Cookie: sg.Name + "=" + tok},
	} {
		u := master
		if o.Cookie != "" {
			u = fx.master
		}
		p := play(t, u, o)
		assert.Empty(t, p.Refused, name)
		assert.Equal(t, 3, p.Served, "%s: the master and both variants", name)
		assert.Contains(t, p.NoMedia, "/hls/ENC/enc/movies/clip%20one_AVC_SD_1Pass_30fps.mp4/init.mp4", name)
	}
}

// TestEdgePlaysSignedInFFprobe: real clients play a signed URL, the token
// in the master's query and the cookie for the children (ffmpeg passes
// -headers to every request of the stream), and fail on a tampered one.
func TestEdgePlaysSignedInFFprobe(t *testing.T) {
	ffprobe, err := exec.LookPath("ffprobe")
	if err != nil {
		t.Skip("SKIPPED: ffprobe is not on the PATH (apt-get install ffmpeg); the signed URL was not played by a real client")
	}
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("SKIPPED: ffmpeg is not on the PATH (apt-get install ffmpeg); no media to play")
	}
	for _, typ := range []string{edgetoken.TypeSecureToken, edgetoken.TypeJWT} {
		t.Run(typ, func(t *testing.T) {
			fx, sg := signedFixture(t, typ, Options{Source: SourceMetadata{DurationS: 2, Width: 1280, Height: 720}})
			master, tok := signPlayback(t, sg, fx.master, "127.0.0.1", fixedNow)
			p := play(t, master, PlayOptions{CarryQuery: true})
			assert.Empty(t, p.Refused, "every playlist and segment is served with the master's query")
			assert.Empty(t, p.NoMedia, "with ffmpeg every segment is real media")
			assert.GreaterOrEqual(t, p.Served, 1+2*3, "the master, 2 variants, their init and at least one segment each")
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			headers := "Cookie: " + sg.Name + "=" + tok + "\r\n"
			out, err := exec.CommandContext(ctx, ffprobe, "-v", "error", "-headers", headers, "-show_entries", "stream=codec_type,width,height",
				"-of", "csv=p=0", master).CombinedOutput()
			require.NoError(t, err, "ffprobe %s: %s", master, out)
			assert.Contains(t, string(out), "video,1280,720")
			assert.Contains(t, string(out), "video,640,360")
			dec, err := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-v", "error", "-headers", headers, "-i", master, "-map", "0", "-t", "1", "-f", "null", "-").CombinedOutput()
			require.NoError(t, err, "ffmpeg decoding the signed stream: %s", dec)

			tampered := strings.Replace(master, "exp=", "exp=9", 1)
			if typ == edgetoken.TypeJWT {
				tampered = master[:len(master)-3] + "abc"
			}
			out, err = exec.CommandContext(ctx, ffprobe, "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", tampered).CombinedOutput()
			assert.Error(t, err, "a tampered URL must not play: %s", out)
			assert.Contains(t, string(out), "403")
			out, err = exec.CommandContext(ctx, ffprobe, "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", fx.master).CombinedOutput()
			assert.Error(t, err, "an unsigned URL must not play: %s", out)
		})
	}
}
