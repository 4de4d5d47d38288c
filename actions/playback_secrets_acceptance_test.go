package actions_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/edgetoken"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// signedTokens matches the signed tokens a result carries on purpose (a
// URL's token=… value); they are taken out before a text is searched for
// a secret's first characters, so that 6 hex digits of an HMAC cannot
// pass for the Secure Token key's.
var signedTokens = regexp.MustCompile(`(token|vftoken|globaledgejwt)=[A-Za-z0-9=~*/_.,:%-]+`)

// assertNoSecretPrefix is assertNoPrefix on the texts without their
// signed tokens.
func assertNoSecretPrefix(t *testing.T, secrets []string, texts ...string) {
	t.Helper()
	for i, text := range texts {
		texts[i] = signedTokens.ReplaceAllString(text, "$1=…")
	}
	assertNoPrefix(t, secrets, texts...)
}

// echoFault is a VOD Station answer that echoes the secrets after pad
// bytes (past the point where error texts are clipped when pad is 290).
func echoFault(method, path string, pad int, secrets []string) vodstationtest.Fault {
	echo := strings.Repeat("p", pad) + " " + strings.Join(secrets, " ")
	return vodstationtest.Fault{Method: method, Path: path, Status: 400,
		Body: `{"error":{"errorCode":"260021","message":"` + echo + `","details":"` + echo + `"}}`}
}

// TestPlaybackSecretsStayOut is TestEverySecretSourceStaysOut's sibling
// for signed playback and direct uploads: PLAYBACK_TOKEN_KEY (Secure
// Token hex and a JWT secret), PLAYBACK_URL_TOKEN and UPLOAD_TOKEN, each
// given to the shipped action that holds it, echoed by VOD Station or
// sent back in a request's fields, never appear — not even their first 6
// characters — in a result, an HTTP answer, a log line or a webhook body.
// The signed tokens may appear; the key never does.
func TestPlaybackSecretsStayOut(t *testing.T) {
	for _, typ := range []string{edgetoken.TypeSecureToken, edgetoken.TypeJWT} {
		key := playbackKey(typ)
		held := []string{secretKey, playbackURLToken, key}

		for _, pad := range []int{10, 290} {
			t.Run(fmt.Sprintf("%s: playback-url, the status API echoes after %d bytes", typ, pad), func(t *testing.T) {
				e := setupPlayback(t, typ, vodstationtest.Options{FFmpeg: "none"}, nil)
				id := e.submit(t, "uploads/trailer.mp4", true)
				e.vod.InjectFault(echoFault(http.MethodGet, "/api/v2/status", pad, held))
				status, _, a := e.ask(t, http.MethodGet, playbackURLToken, "file_id="+id, nil)
				assert.Equal(t, http.StatusBadGateway, status, "%v", a)
				if pad == 10 {
					assert.Contains(t, a["error"], "[redacted]", "the echo was scrubbed, not dropped")
				}
				assertNoSecretPrefix(t, held, jsonText(a), e.logs.String())
			})
		}

		t.Run(typ+": playback-url, the secrets sent back in the request", func(t *testing.T) {
			e := setupPlayback(t, typ, vodstationtest.Options{FFmpeg: "none"}, nil)
			id := e.submit(t, "uploads/trailer.mp4", true)
			answers := []string{}
			for _, r := range []struct {
				method, token, query string
				body                 any
			}{
				{"GET", playbackURLToken + "x", "file_id=" + id, nil},
				{"GET", key, "file_id=" + id, nil},
				{"GET", playbackURLToken, "file_id=" + url.QueryEscape(playbackURLToken), nil},
				{"GET", playbackURLToken, "file_id=" + id + "&ttl=" + url.QueryEscape(key), nil},
				{"GET", playbackURLToken, "file_id=" + id + "&ip=" + url.QueryEscape(key), nil},
				{"POST", playbackURLToken, "", map[string]any{"file_id": key, "ttl": playbackURLToken}},
				{"POST", playbackURLToken, "", "{" + playbackURLToken + key},
				{"GET", playbackURLToken, "file_id=" + id, nil}, // a success: signed tokens, not the key
			} {
				status, _, a := e.ask(t, r.method, r.token, r.query, r.body)
				assert.NotZero(t, status)
				answers = append(answers, jsonText(a))
			}
			assert.Contains(t, answers[len(answers)-1], "/master.m3u8?"+e.signer.Name+"=", "the last is signed")
			assertNoSecretPrefix(t, held, append(answers, e.logs.String())...)
		})

		t.Run(typ+": encoding-callback signing, the status API echoes", func(t *testing.T) {
			cbHeld := []string{secretKey, callbackToken, webhookSecret, key}
			run := runCallbackLoopWith(t, map[string]any{"PLAYBACK_TOKEN_KEY": key, "PLAYBACK_TOKEN_TYPE": typ}, nil,
				func(vod *vodstationtest.Server) {
					vod.InjectFault(echoFault(http.MethodGet, "/api/v2/status", 10, cbHeld))
				})
			require.NotEmpty(t, run.bodies, "events were still sent")
			faulted := 0
			for _, c := range run.vod.Calls() {
				if c.Fault && strings.HasPrefix(c.Path, "/api/v2/status") {
					faulted++
				}
			}
			require.NotZero(t, faulted, "encoding-callback read the echoing status API")
			assert.Contains(t, strings.Join(append(run.bodies, run.logs), "\n"), "[redacted]", "the echo reached a log or an event, scrubbed")
			assertNoSecretPrefix(t, cbHeld, append(run.bodies, run.logs, run.result)...)
		})
	}

	t.Run("a Secure Token key that is not hex is never quoted", func(t *testing.T) {
		// The JWT sentinel is not hex: as a Secure Token key it is refused
		// by name, without its value.
		run := runCallbackLoopWith(t, map[string]any{"PLAYBACK_TOKEN_KEY": playbackJWTKey}, nil, func(*vodstationtest.Server) {})
		assert.Contains(t, run.logs, "PLAYBACK_TOKEN_KEY", "the error names the parameter")
		assertNoSecretPrefix(t, []string{playbackJWTKey, secretKey, callbackToken, webhookSecret}, append(run.bodies, run.logs, run.result)...)

		e := setupPlayback(t, edgetoken.TypeJWT, vodstationtest.Options{FFmpeg: "none"}, map[string]any{"PLAYBACK_TOKEN_TYPE": "securetoken"})
		status, _, a := e.ask(t, http.MethodGet, playbackURLToken, "file_id=1", nil)
		assert.Equal(t, http.StatusInternalServerError, status)
		assert.Contains(t, a["error"], "PLAYBACK_TOKEN_KEY")
		assertNoSecretPrefix(t, []string{playbackJWTKey, playbackURLToken, secretKey}, jsonText(a), e.logs.String())
	})

	t.Run("upload-url, UPLOAD_TOKEN sent back in the request", func(t *testing.T) {
		e := setupUpload(t, nil)
		var answers []string
		for _, r := range []struct {
			token string
			body  any
		}{
			{uploadToken + "x", map[string]any{"filename": "a.mp4", "content_type": "video/mp4", "size": 10}},
			{"x" + uploadToken, map[string]any{"filename": "a.mp4", "content_type": "video/mp4", "size": 10}},
			{uploadToken, map[string]any{"filename": uploadToken + ".exe", "content_type": "video/mp4", "size": 10}},
			{uploadToken, map[string]any{"filename": "a.mp4", "content_type": uploadToken, "size": 10}},
			{uploadToken, map[string]any{"filename": "a.mp4", "content_type": "video/mp4", "size": uploadToken}},
			{uploadToken, "{" + uploadToken},
			{uploadToken, map[string]any{"filename": uploadToken + ".mp4", "content_type": "video/mp4", "size": 10}},
		} {
			_, _, a := e.ask(t, http.MethodPost, r.token, r.body, nil)
			answers = append(answers, jsonText(a))
		}
		assertNoPrefix(t, []string{uploadToken, secretKey}, append(answers, e.logs.String())...)
	})
}
