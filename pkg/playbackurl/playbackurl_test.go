package playbackurl

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/signing"
)

const token = "unit-test-token"

// request is a raw web action's parameters for method, query, body and
// the Authorization header, with the configuration playback-url needs.
func request(t *testing.T, method, query, body, auth string, cfg map[string]any) *action.Params {
	t.Helper()
	headers := map[string]any{"content-type": "application/json"}
	if auth != "" {
		headers["authorization"] = auth
	}
	p := map[string]any{"__ow_method": method, "__ow_headers": headers, "__ow_path": "", "__ow_query": query, "__ow_body": body,
		"PLAYBACK_URL_TOKEN": token, "PLAYBACK_TOKEN_KEY": "0a0b0c0d", "PLAYBACK_DOMAIN": "cdn.example.com", "ENCRYPTED_BUCKET_NAME": "enc"}
	for k, v := range cfg {
		if v == nil {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	raw, err := json.Marshal(p)
	require.NoError(t, err)
	params, err := action.ParseParams(raw)
	require.NoError(t, err)
	return params
}

// TestDecode: what a request asks for, and each refusal's status, before
// any API call.
func TestDecode(t *testing.T) {
	bearer := "Bearer " + token
	for _, tc := range []struct {
		name                      string
		method, query, body, auth string
		cfg                       map[string]any
		want                      Input
		status                    int
	}{
		{name: "GET", method: "get", query: "file_id=12", auth: bearer, want: Input{FileID: "12"}},
		{name: "no method is GET", method: "", query: "file_id=12", auth: bearer, want: Input{FileID: "12"}},
		{name: "ttl and ip", method: "get", query: "file_id=12&ttl=2h&ip=203.0.113.7", auth: bearer,
			want: Input{FileID: "12", TTL: 2 * time.Hour, ViewerIP: "203.0.113.7"}},
		{name: "ttl in seconds", method: "get", query: "file_id=12&ttl=120", auth: bearer, want: Input{FileID: "12", TTL: 2 * time.Minute}},
		{name: "IPv6 normalized", method: "get", query: "file_id=12&ip=2001:DB8:0:0::1", auth: bearer, want: Input{FileID: "12", ViewerIP: "2001:db8::1"}},
		{name: "scheme in any case", method: "get", query: "file_id=12", auth: "bearer  " + token + " ", want: Input{FileID: "12"}},
		{name: "POST body", method: "post", body: `{"file_id":"7","ttl":"90m","ip":"198.51.100.1"}`, auth: bearer,
			want: Input{FileID: "7", TTL: 90 * time.Minute, ViewerIP: "198.51.100.1"}},
		{name: "POST number file_id and ttl", method: "post", body: `{"file_id":7,"ttl":600}`, auth: bearer, want: Input{FileID: "7", TTL: 10 * time.Minute}},
		{name: "POST body wins over the query", method: "post", query: "file_id=1&ttl=1h", body: `{"file_id":"2"}`, auth: bearer,
			want: Input{FileID: "2", TTL: time.Hour}},
		{name: "POST without a body reads the query", method: "post", query: "file_id=3", auth: bearer, want: Input{FileID: "3"}},

		{name: "no Authorization", method: "get", query: "file_id=12", status: 401},
		{name: "another scheme", method: "get", query: "file_id=12", auth: "Basic " + token, status: 401},
		{name: "the bare token", method: "get", query: "file_id=12", auth: token, status: 401},
		{name: "empty bearer", method: "get", query: "file_id=12", auth: "Bearer ", status: 401},
		{name: "wrong token first", method: "get", query: "file_id=abc", auth: "Bearer nope", status: 401},
		{name: "PUT", method: "put", query: "file_id=12", auth: bearer, status: 405},
		{name: "no file_id", method: "get", auth: bearer, status: 400},
		{name: "file_id not numeric", method: "get", query: "file_id=12a", auth: bearer, status: 400},
		{name: "file_id too large", method: "get", query: "file_id=99999999999999999999", auth: bearer, status: 400},
		{name: "ttl 59s", method: "get", query: "file_id=12&ttl=59s", auth: bearer, status: 400},
		{name: "ttl 721h", method: "get", query: "file_id=12&ttl=721h", auth: bearer, status: 400},
		{name: "ttl negative", method: "get", query: "file_id=12&ttl=-5m", auth: bearer, status: 400},
		{name: "ip a name", method: "get", query: "file_id=12&ip=localhost", auth: bearer, status: 400},
		{name: "body an array", method: "post", body: `[1]`, auth: bearer, status: 400},
		{name: "no PLAYBACK_URL_TOKEN", method: "get", query: "file_id=12", auth: bearer, cfg: map[string]any{"PLAYBACK_URL_TOKEN": nil}, status: 500},
		{name: "no PLAYBACK_TOKEN_KEY", method: "get", query: "file_id=12", auth: bearer, cfg: map[string]any{"PLAYBACK_TOKEN_KEY": nil}, status: 500},
		{name: "merged, not raw", method: "get", auth: bearer, cfg: map[string]any{"__ow_query": nil, "__ow_body": nil, "file_id": "12"}, status: 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, in, err := New(nil).decode(request(t, tc.method, tc.query, tc.body, tc.auth, tc.cfg))
			if tc.status == 0 {
				require.NoError(t, err)
				assert.Equal(t, tc.want, in)
				return
			}
			require.Error(t, err)
			var r *refusal
			require.True(t, errors.As(err, &r), "a refusal: %v", err)
			assert.Equal(t, tc.status, r.status, r.msg)
			assert.Equal(t, tc.status, answer(t.Context(), err).StatusCode)
			assert.NotContains(t, err.Error(), token)
		})
	}
}

// TestAuthorized: only the exact token after "Bearer" passes.
func TestAuthorized(t *testing.T) {
	want := signing.NewSecret("s3cret")
	for header, ok := range map[string]bool{
		"Bearer s3cret": true, "bearer s3cret": true, "BEARER s3cret ": true,
		"Bearer s3cre": false, "Bearer s3crets": false, "Bearer": false, "s3cret": false, "": false, "Token s3cret": false,
	} {
		assert.Equal(t, ok, authorized(want, header), "%q", header)
	}
	assert.False(t, authorized(signing.NewSecret(""), "Bearer "), "an empty token never passes")
}
