package signing_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/signing"
)

// Known answers computed outside Go with
// printf '%s' "$msg" | openssl dgst -sha256 -hmac "$secret" -binary | base64
func TestSignKnownAnswers(t *testing.T) {
	ts := time.UnixMilli(1700000000000)
	tests := []struct {
		name, method, uri, ak, sk string
		ts                        time.Time
		want                      string
	}{
		{"list categories", "GET", "/api/v2/category?pageNo=1&pageSizeNo=20", "AK_TEST", "SK_TEST", ts, "ry4IMMB9QxhX1e3ASe/wy5C8NF6kjXkeuRNLYo3WiiU="},
		{"add files", "PUT", "/api/v2/category/1234/add-files", "AK_TEST", "SK_TEST", ts, "Cmcm8XCFHJSY4OSoHla4cL5MSkPQh8vK9e2A29CP/EU="},
		{"create server", "POST", "/vserver/v2/createServerInstances?regionCode=KR", "AK_TEST", "SK_TEST", ts, "xBcE26XFU55BMjppdPT7ZY3oDrqoOedfPyAn3Cq4lUw="},
		{"server list (sjk4425 vector)", "GET", "/vserver/v2/getServerInstanceList?responseFormatType=json", "TestAccessKey", "TestSecretKey", time.UnixMilli(1234567890123), "FPsYYX8fuMAgi+cue3eACOW0dNtIwu1LYWfg/megA2M="},
		{"add files (peers.md vector)", "PUT", "/api/v2/category/123/add-files", "ACCESSKEY", "SECRETKEY", ts, "MCUfCn/16xqME/5l3wJxP9Gcoo+wPksH/sr5cwYsFYA="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := signing.Sign(signing.StringToSign(tt.method, tt.uri, tt.ts, tt.ak), signing.NewSecret(tt.sk))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestStringToSignShape(t *testing.T) {
	got := signing.StringToSign("GET", "/api/v2/category", time.UnixMilli(1700000000000), "AK")
	assert.Equal(t, "GET /api/v2/category\n1700000000000\nAK", got)
}

func TestSignRequestUsesRequestLineURI(t *testing.T) {
	now := time.UnixMilli(1700000000000)
	creds := signing.Credentials{AccessKey: "AK_TEST", SecretKey: signing.NewSecret("SK_TEST")}
	tests := []struct{ name, url, wantURI string }{
		{"no query: no bare question mark", "https://h/api/v2/category/1234/add-files", "/api/v2/category/1234/add-files"},
		{"query kept as sent", "https://h/api/v2/category?pageNo=1&pageSizeNo=20", "/api/v2/category?pageNo=1&pageSizeNo=20"},
		{"escaped path", "https://h/api/v2/files/%ED%95%9C%20a+b", "/api/v2/files/%ED%95%9C%20a+b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", tt.url, nil)
			require.NoError(t, err)
			require.NoError(t, signing.SignRequest(req, creds, now))
			assert.Equal(t, "1700000000000", req.Header.Get(signing.HeaderTimestamp))
			assert.Equal(t, "AK_TEST", req.Header.Get(signing.HeaderAccessKey))
			want := signing.Sign("GET "+tt.wantURI+"\n1700000000000\nAK_TEST", creds.SecretKey)
			assert.Equal(t, want, req.Header.Get(signing.HeaderSignature))
		})
	}
}

func TestSignRequestRoundTripOverHTTP(t *testing.T) {
	creds := signing.Credentials{AccessKey: "AK", SecretKey: signing.NewSecret("SK")}
	var got, want string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get(signing.HeaderSignature)
		ts := r.Header.Get(signing.HeaderTimestamp)
		want = signing.Sign(r.Method+" "+r.URL.RequestURI()+"\n"+ts+"\n"+r.Header.Get(signing.HeaderAccessKey), creds.SecretKey)
	}))
	t.Cleanup(srv.Close)
	req, err := http.NewRequest("PUT", srv.URL+"/api/v2/category/7/add-files?x=a%20b", nil)
	require.NoError(t, err)
	require.NoError(t, signing.SignRequest(req, creds, time.Now()))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, want, got)
}

func TestSignRequestMissingCredentials(t *testing.T) {
	req := httptest.NewRequest("GET", "/x", nil)
	err := signing.SignRequest(req, signing.Credentials{AccessKey: "AK"}, time.Now())
	assert.ErrorIs(t, err, signing.ErrMissingCredentials)
	assert.Empty(t, req.Header.Get(signing.HeaderSignature))
}

func TestSecretNeverPrints(t *testing.T) {
	const sentinel = "SENTINEL-SECRET-7f3a"
	s := signing.NewSecret(sentinel)
	creds := signing.Credentials{AccessKey: "AK", SecretKey: s}
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("x", "creds", creds, "secret", s)
	js, err := json.Marshal(creds)
	require.NoError(t, err)
	outputs := []string{
		fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x", s, creds, creds, s, s, s),
		string(js), logBuf.String(), s.String(), s.GoString(),
	}
	for _, out := range outputs {
		assert.NotContains(t, out, sentinel)
	}
	assert.Equal(t, sentinel, s.Reveal())
}

// A set secret prints as the placeholder, which says a value is there; an
// unset one prints as nothing, which says none is.
func TestSecretStringSaysWhetherOneIsSet(t *testing.T) {
	tests := []struct{ value, want, wantGo string }{
		{"SENTINEL-SECRET-7f3a", "[redacted]", `signing.Secret("[redacted]")`},
		{"", "", `signing.Secret("")`},
	}
	for _, tt := range tests {
		s := signing.NewSecret(tt.value)
		assert.Equal(t, tt.want, s.String(), "value %q", tt.value)
		assert.Equal(t, tt.wantGo, s.GoString(), "value %q", tt.value)
		assert.Equal(t, tt.value == "", s.Empty())
	}
}

func TestSecretUnmarshal(t *testing.T) {
	var v struct {
		Key signing.Secret `json:"NCLOUD_SECRET_KEY"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"NCLOUD_SECRET_KEY":"abc"}`), &v))
	assert.Equal(t, "abc", v.Key.Reveal())

	err := json.Unmarshal([]byte(`{"NCLOUD_SECRET_KEY":12}`), &v)
	var typeErr *json.UnmarshalTypeError
	require.ErrorAs(t, err, &typeErr)
	assert.Equal(t, "NCLOUD_SECRET_KEY", typeErr.Field)
	assert.Equal(t, "number", typeErr.Value)
	assert.NotContains(t, err.Error(), "abc")
}

func TestRedactedHeader(t *testing.T) {
	h := http.Header{}
	h.Set(signing.HeaderSignature, "sig")
	h.Set(signing.HeaderAccessKey, "AK")
	r := signing.RedactedHeader(h)
	assert.Equal(t, "[redacted]", r.Get(signing.HeaderSignature))
	assert.Equal(t, "sig", h.Get(signing.HeaderSignature), "original untouched")
}

func ExampleSign() {
	ts := time.UnixMilli(1700000000000)
	sts := signing.StringToSign("GET", "/api/v2/category?pageNo=1&pageSizeNo=20", ts, "AK_TEST")
	fmt.Println(signing.Sign(sts, signing.NewSecret("SK_TEST")))
	// Output: ry4IMMB9QxhX1e3ASe/wy5C8NF6kjXkeuRNLYo3WiiU=
}

// TestSecretUnmarshalNamesTheKind: a secret that is not a JSON string is
// refused with the kind it is, in encoding/json's words, also when the
// value is handed to UnmarshalJSON with whitespace before it (valid JSON
// text: a caller of the method may pass it so).
func TestSecretUnmarshalNamesTheKind(t *testing.T) {
	for raw, want := range map[string]string{
		`{"a":1}`: "object", " \t\r\n{}": "object", `[1]`: "array", "\n[]": "array",
		`true`: "bool", ` false`: "bool", `12`: "number", "  -1": "number", "": "empty", "   ": "empty",
	} {
		var s signing.Secret
		err := s.UnmarshalJSON([]byte(raw))
		var typeErr *json.UnmarshalTypeError
		require.ErrorAs(t, err, &typeErr, "%q", raw)
		assert.Equal(t, want, typeErr.Value, "%q", raw)
	}
	var s signing.Secret
	require.NoError(t, s.UnmarshalJSON([]byte(` "k3y-value"`)))
	assert.Equal(t, "k3y-value", s.Reveal())
}
