package callback_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// TestDecodeCallbackNullBody: a body of JSON null is not an object, and the
// error says so rather than that fileId is missing.
func TestDecodeCallbackNullBody(t *testing.T) {
	for _, b := range []string{"null", " null ", "[]", `"x"`, "{"} {
		_, err := callback.DecodeCallback([]byte(b))
		require.Error(t, err, b)
		assert.Equal(t, "invalid parameter body: not a JSON object", err.Error(), b)
	}
}

// TestDecodeCallbackFieldLengths: each text field is accepted up to the
// longest VOD Station sends and refused one byte past it.
func TestDecodeCallbackFieldLengths(t *testing.T) {
	for _, f := range []struct {
		name string
		max  int
	}{{"filePath", 4096}, {"link", 8192}, {"outputType", 256}, {"categoryName", 1024}} {
		for _, n := range []int{f.max, f.max + 1} {
			body, err := json.Marshal(map[string]any{"fileId": 1, "status": "RUNNING", f.name: strings.Repeat("a", n)})
			require.NoError(t, err)
			_, err = callback.DecodeCallback(body)
			if n == f.max {
				assert.NoError(t, err, "%s of %d bytes", f.name, n)
			} else {
				assert.EqualError(t, err, "invalid parameter body: a field is longer than VOD Station ever sends", "%s of %d bytes", f.name, n)
			}
		}
	}
}

// TestDecodeCallbackEchoesShortValuesWhole: a bad status is echoed whole up
// to 64 bytes, and cut (marked "…") past that.
func TestDecodeCallbackEchoesShortValuesWhole(t *testing.T) {
	at := strings.Repeat("X", 64)
	_, err := callback.DecodeCallback([]byte(fmt.Sprintf(`{"fileId":1,"status":%q}`, at)))
	assert.EqualError(t, err, fmt.Sprintf("invalid parameter status: got %q, want WAITING, RUNNING, COMPLETE, FAILURE or CANCELED", at))
	_, err = callback.DecodeCallback([]byte(fmt.Sprintf(`{"fileId":1,"status":%q}`, at+"Y")))
	assert.EqualError(t, err, fmt.Sprintf("invalid parameter status: got %q, want WAITING, RUNNING, COMPLETE, FAILURE or CANCELED", at+"…"))
}

// TestCallbackTokenAmongOthers: the right token is accepted wherever it is
// among the presented ones, first or last.
func TestCallbackTokenAmongOthers(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	body := cbBody(1, "RUNNING")
	for _, tt := range []struct {
		name   string
		params []byte
	}{
		{"right, then wrong in the query", l.request("token="+cbToken+"&token=nope", body, nil)},
		{"right in the query, wrong in the header", l.request("token="+cbToken, body, map[string]any{"__ow_headers": map[string]string{"x-callback-token": "nope"}})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, a := call(t, callback.New(), tt.params)
			assert.Equal(t, 200, code, a.Error)
			assert.True(t, a.OK)
		})
	}
}

// TestCallbackNotifiedOnlyWhenSomethingWasSent: the answer says what was
// notified only when notifications are on and the callback implied events:
// not for WAITING (no event), not without WEBHOOK_URL.
func TestCallbackNotifiedOnlyWhenSomethingWasSent(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	code, a := call(t, callback.New(), l.request("token="+cbToken, cbBody(1, "WAITING"), nil))
	require.Equal(t, 200, code, a.Error)
	assert.Empty(t, a.Events, "WAITING implies no event")
	assert.Nil(t, a.Notified)

	code, a = call(t, callback.New(), l.request("token="+cbToken, cbBody(1, "RUNNING"), map[string]any{"WEBHOOK_URL": nil, "WEBHOOK_SECRET": nil}))
	require.Equal(t, 200, code, a.Error)
	assert.NotEmpty(t, a.Events)
	assert.Nil(t, a.Notified, "no WEBHOOK_URL: nothing notified")

	code, a = call(t, callback.New(), l.request("token="+cbToken, cbBody(1, "RUNNING"), nil))
	require.Equal(t, 200, code, a.Error)
	require.NotNil(t, a.Notified, "precondition: with WEBHOOK_URL and an event, the answer says what was sent")
}

// TestCallbackEncryptedBucketNeedsADomain: ENCRYPTED_BUCKET_NAME alone is a
// configuration error naming PLAYBACK_DOMAIN (500, nothing sent); with
// CHANNEL_ID the channel says the domain and it is served.
func TestCallbackEncryptedBucketNeedsADomain(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	before := len(l.receiver.Deliveries())
	code, a := call(t, callback.New(), l.request("token="+cbToken, cbBody(1, "RUNNING"), map[string]any{"CHANNEL_ID": nil, "ENCRYPTED_BUCKET_NAME": cbEncrypt}))
	assert.Equal(t, 500, code)
	assert.Contains(t, a.Error, "PLAYBACK_DOMAIN (ENCRYPTED_BUCKET_NAME is set; or set CHANNEL_ID)")
	assert.Len(t, l.receiver.Deliveries(), before)

	code, a = call(t, callback.New(), l.request("token="+cbToken, cbBody(1, "RUNNING"), map[string]any{"ENCRYPTED_BUCKET_NAME": cbEncrypt}))
	assert.Equal(t, 200, code, a.Error)
}

// TestCallbackChannelNeedsTheAPIForWhatIsMissing: CHANNEL_ID is read from
// the VOD Station API only for what PLAYBACK_DOMAIN and
// ENCRYPTED_BUCKET_NAME do not give; with either of them missing, the
// action needs valid API credentials (a 500 naming CHANNEL_ID), with both
// given it needs none.
func TestCallbackChannelNeedsTheAPIForWhatIsMissing(t *testing.T) {
	l := newLoop(t, vodstationtest.Options{})
	noAPI := map[string]any{"NCLOUD_SECRET_KEY": nil}
	for name, extra := range map[string]map[string]any{
		"no encrypted bucket": {"PLAYBACK_DOMAIN": cbEdge},
		"no playback domain":  {"ENCRYPTED_BUCKET_NAME": cbEncrypt},
		"neither":             {},
	} {
		code, a := call(t, callback.New(), l.request("token="+cbToken, cbBody(1, "RUNNING"), mergeMaps(noAPI, extra)))
		assert.Equal(t, 500, code, name)
		assert.Contains(t, a.Error, "CHANNEL_ID needs the VOD Station API", name)
		assert.Contains(t, a.Error, "NCLOUD_SECRET_KEY", name)
	}
	code, a := call(t, callback.New(), l.request("token="+cbToken, cbBody(1, "RUNNING"),
		mergeMaps(noAPI, map[string]any{"PLAYBACK_DOMAIN": cbEdge, "ENCRYPTED_BUCKET_NAME": cbEncrypt})))
	assert.Equal(t, 200, code, a.Error)
}
