package callback_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/edgetoken"
	"github.com/vodflow/vodflow/pkg/playback"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

const (
	signKey  = "52a152a152a152a152a1"
	signLink = "https://out-bucket.kr.object.ncloudstorage.com/encoded/movies/a_AVC_SD_1Pass_30fps.mp4"
)

// signedCompleteParams is a COMPLETE callback with a link, playback from
// PLAYBACK_DOMAIN and ENCRYPTED_BUCKET_NAME (no API call), and extra.
func signedCompleteParams(l *loop, extra map[string]any) []byte {
	body := `{"fileId":5,"encodingOptionId":1,"outputType":"AVC_SD_1Pass_30fps","status":"COMPLETE","link":"` + signLink + `"}`
	return l.request("token="+cbToken, body, mergeMaps(map[string]any{
		"CHANNEL_ID": nil, "PLAYBACK_DOMAIN": cbEdge, "ENCRYPTED_BUCKET_NAME": cbEncrypt,
		"NCLOUD_ACCESS_KEY": nil, "WEBHOOK_URL": nil, "WEBHOOK_SECRET": nil,
	}, extra))
}

// TestCallbackSigningParams: each PLAYBACK_TOKEN_* value is accepted or
// refused as a configuration error (500, naming its field, never quoting
// the key) before anything is sent; the TTL's bounds are 1 minute and 30
// days inclusive, in seconds or as a Go duration, checked even without a
// key.
func TestCallbackSigningParams(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	for _, tt := range []struct {
		name   string
		params map[string]any
		field  string // "" when accepted
		reason string
	}{
		{"no key", map[string]any{}, "", ""},
		{"Secure Token, defaults", map[string]any{"PLAYBACK_TOKEN_KEY": signKey}, "", ""},
		{"JWT", map[string]any{"PLAYBACK_TOKEN_KEY": "any secret", "PLAYBACK_TOKEN_TYPE": "jwt"}, "", ""},
		{"unknown type", map[string]any{"PLAYBACK_TOKEN_KEY": signKey, "PLAYBACK_TOKEN_TYPE": "akamai"}, "PLAYBACK_TOKEN_TYPE", `got "akamai", want securetoken or jwt`},
		{"unknown type without a key", map[string]any{"PLAYBACK_TOKEN_TYPE": "akamai"}, "PLAYBACK_TOKEN_TYPE", "akamai"},
		{"TTL 60 seconds", map[string]any{"PLAYBACK_TOKEN_KEY": signKey, "PLAYBACK_TOKEN_TTL": "60"}, "", ""},
		{"TTL 59 seconds", map[string]any{"PLAYBACK_TOKEN_KEY": signKey, "PLAYBACK_TOKEN_TTL": "59"}, "PLAYBACK_TOKEN_TTL", `got "59", want from 1m0s to 720h`},
		{"TTL 59 seconds without a key", map[string]any{"PLAYBACK_TOKEN_TTL": "59"}, "PLAYBACK_TOKEN_TTL", `got "59"`},
		{"TTL 1m", map[string]any{"PLAYBACK_TOKEN_KEY": signKey, "PLAYBACK_TOKEN_TTL": "1m"}, "", ""},
		{"TTL 59s", map[string]any{"PLAYBACK_TOKEN_KEY": signKey, "PLAYBACK_TOKEN_TTL": "59s"}, "PLAYBACK_TOKEN_TTL", `got "59s", want from`},
		{"TTL 30 days in seconds", map[string]any{"PLAYBACK_TOKEN_KEY": signKey, "PLAYBACK_TOKEN_TTL": "2592000"}, "", ""},
		{"TTL 30 days and a second", map[string]any{"PLAYBACK_TOKEN_KEY": signKey, "PLAYBACK_TOKEN_TTL": "2592001"}, "PLAYBACK_TOKEN_TTL", `got "2592001", want from`},
		{"TTL 720h", map[string]any{"PLAYBACK_TOKEN_KEY": signKey, "PLAYBACK_TOKEN_TTL": " 720h "}, "", ""},
		{"TTL 720h1s", map[string]any{"PLAYBACK_TOKEN_KEY": signKey, "PLAYBACK_TOKEN_TTL": "720h1s"}, "PLAYBACK_TOKEN_TTL", `got "720h1s", want from`},
		{"TTL not a duration", map[string]any{"PLAYBACK_TOKEN_KEY": signKey, "PLAYBACK_TOKEN_TTL": "six hours"}, "PLAYBACK_TOKEN_TTL", `got "six hours", want a duration such as 6h or 90m, or seconds`},
		{"TTL negative", map[string]any{"PLAYBACK_TOKEN_KEY": signKey, "PLAYBACK_TOKEN_TTL": "-3600"}, "PLAYBACK_TOKEN_TTL", `got "-3600", want from`},
		{"Secure Token key not hex", map[string]any{"PLAYBACK_TOKEN_KEY": "not-hex-key-zz"}, "PLAYBACK_TOKEN_KEY", "a Secure Token key is an even number of hex digits"},
		{"Secure Token key odd", map[string]any{"PLAYBACK_TOKEN_KEY": signKey + "a"}, "PLAYBACK_TOKEN_KEY", "even number of hex digits"},
		{"bad name", map[string]any{"PLAYBACK_TOKEN_KEY": signKey, "PLAYBACK_TOKEN_NAME": "my token"}, "PLAYBACK_TOKEN_NAME", `got "my token", want letters, digits`},
		{"bad name, JWT", map[string]any{"PLAYBACK_TOKEN_KEY": "any secret", "PLAYBACK_TOKEN_TYPE": "jwt", "PLAYBACK_TOKEN_NAME": "a=b"}, "PLAYBACK_TOKEN_NAME", `got "a=b"`},
		{"bad name, bad key: the key is at fault first", map[string]any{"PLAYBACK_TOKEN_KEY": "zz", "PLAYBACK_TOKEN_NAME": "tok"}, "PLAYBACK_TOKEN_KEY", "even number of hex digits"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, a := call(t, callback.New(), l.request("token="+cbToken, cbBody(1, "RUNNING"),
				mergeMaps(map[string]any{"WEBHOOK_URL": nil, "WEBHOOK_SECRET": nil}, tt.params)))
			if tt.field == "" {
				assert.Equal(t, 200, code, a.Error)
				assert.True(t, a.OK)
				return
			}
			assert.Equal(t, 500, code, "a configuration error")
			assert.False(t, a.OK)
			assert.Contains(t, a.Error, tt.field)
			assert.Contains(t, a.Error, tt.reason)
			assert.Empty(t, a.Events, "refused before any event")
			assert.NotContains(t, a.Error, signKey)
		})
	}
}

// TestCallbackSignedExpiry: the URLs of a COMPLETE callback are signed by
// PLAYBACK_TOKEN_KEY at the handler's clock, valid for PLAYBACK_TOKEN_TTL
// (seconds or a duration; 6h by default) and no longer, under the token
// name PLAYBACK_TOKEN_NAME.
func TestCallbackSignedExpiry(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		ttl, name string
		want      time.Duration
	}{
		{"", "", 6 * time.Hour},
		{"90", "vtok", 90 * time.Second},
		{"90m", "", 90 * time.Minute},
		{"86400", "", 24 * time.Hour},
	} {
		t.Run(tt.ttl, func(t *testing.T) {
			h := callback.New(callback.WithClock(func() time.Time { return at }))
			code, a := call(t, h, signedCompleteParams(l, map[string]any{
				"PLAYBACK_TOKEN_KEY": signKey, "PLAYBACK_TOKEN_TTL": tt.ttl, "PLAYBACK_TOKEN_NAME": tt.name}))
			require.Equal(t, 200, code, a.Error)
			require.NotNil(t, a.Playback, "warnings: %q", a.Warnings)
			sg, err := edgetoken.NewSigner(edgetoken.TypeSecureToken, signKey, tt.name, tt.want)
			require.NoError(t, err)
			u, err := url.Parse(a.Playback.HLS)
			require.NoError(t, err)
			assert.Equal(t, "/hls/"+cbEncrypt+"/encoded/movies/a_AVC_SD_1Pass_30fps.mp4/index.m3u8", u.Path)
			tok := edgetoken.FromRequest(sg.Name, u.RawQuery, "")
			require.NotEmpty(t, tok, "signed under the name %q: %s", sg.Name, a.Playback.HLS)
			req := edgetoken.Request{Path: u.EscapedPath(), Now: at.Add(tt.want - time.Second)}
			assert.NoError(t, sg.Verify(tok, req), "valid until the TTL is up")
			req.Now = at.Add(tt.want)
			assert.ErrorIs(t, sg.Verify(tok, req), edgetoken.ErrExpired, "expired when the TTL is up")
		})
	}
}

// TestDecideSignFailureDropsTheURL: a URL that cannot be signed (here, for
// a viewer address that is not one) is dropped with a warning, never
// handed out unsigned, and gives no public token.
func TestDecideSignFailureDropsTheURL(t *testing.T) {
	for _, typ := range []string{edgetoken.TypeSecureToken, edgetoken.TypeJWT} {
		t.Run(typ, func(t *testing.T) {
			sg, err := edgetoken.NewSigner(typ, signKey, "", time.Hour)
			require.NoError(t, err)
			f := callback.Facts{
				Callback: callback.Callback{FileID: "5", EncodingOptionID: "1", OutputType: "AVC_SD_1Pass_30fps",
					Status: callback.StatusComplete, Link: signLink},
				Playback: &playback.Config{Domain: cbEdge, EncryptedBucket: cbEncrypt, Protocols: []string{"HLS", "DASH"}},
				Sign:     &callback.Sign{Signer: sg, At: time.Unix(1700000000, 0), ViewerIP: "not-an-ip"},
			}
			d := callback.Decide(f)
			require.Len(t, d.Events, 2)
			require.NotNil(t, d.Playback)
			assert.Empty(t, d.Playback.HLS)
			assert.Empty(t, d.Playback.DASH)
			assert.Empty(t, d.Public)
			assert.True(t, d.ExpiresAt.IsZero())
			require.Len(t, d.Warnings, 2, "one for each protocol")
			for _, w := range d.Warnings {
				assert.Contains(t, w, "playback URL dropped: cannot be signed")
				assert.Contains(t, w, "not-an-ip")
			}
			// The same facts with a viewer address sign both.
			f.Sign.ViewerIP = "203.0.113.9"
			d = callback.Decide(f)
			assert.Empty(t, d.Warnings)
			require.NotNil(t, d.Playback)
			assert.Len(t, d.Public, 2)
			for _, u := range []string{d.Playback.HLS, d.Playback.DASH} {
				assert.Contains(t, u, "?"+sg.Name+"=")
			}
			assert.Equal(t, time.Unix(1700000000, 0).Add(time.Hour), d.ExpiresAt)
		})
	}
}

// TestSignPrintedHidesTheKey: a Sign printed (in a log, a %v, %+v, %#v)
// never shows its key: its Signer prints without it.
func TestSignPrintedHidesTheKey(t *testing.T) {
	sg, err := edgetoken.NewSigner(edgetoken.TypeJWT, "jwt-secret-value", "", time.Hour)
	require.NoError(t, err)
	s := callback.Sign{Signer: sg, At: time.Date(2026, 12, 1, 19, 0, 0, 0, time.FixedZone("KST", 9*3600))}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, s)
		assert.NotContains(t, out, "jwt-secret-value", verb)
		assert.Contains(t, out, sg.Name, verb)
	}
}
