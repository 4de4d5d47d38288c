package ncpapi_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/ncpapi"
	"github.com/vodflow/vodflow/pkg/signing"
)

func TestNewClientSignsWhatItSends(t *testing.T) {
	var got, want string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mac := hmac.New(sha256.New, []byte("SK"))
		fmt.Fprintf(mac, "%s %s\n%s\n%s", r.Method, r.URL.RequestURI(), r.Header.Get(signing.HeaderTimestamp), "AK")
		want = base64.StdEncoding.EncodeToString(mac.Sum(nil))
		got = r.Header.Get(signing.HeaderSignature)
	}))
	t.Cleanup(srv.Close)
	c := ncpapi.NewClient(nil, signing.Credentials{AccessKey: "AK", SecretKey: signing.NewSecret("SK")}, time.Now)
	_, err := c.R().Get(srv.URL + "/a/b?x=1&y=%20z")
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestParseError(t *testing.T) {
	tests := []struct {
		name, ct, body string
		want           ncpapi.APIError
	}{
		{"nested, string code", "application/json", `{"error":{"errorCode":"210","message":"Permission Denied","details":"sub"}}`,
			ncpapi.APIError{Code: "210", Message: "Permission Denied", Details: "sub"}},
		{"nested, numeric code", "application/json", `{"error":{"code":80901,"message":"dup"}}`, ncpapi.APIError{Code: "80901", Message: "dup"}},
		{"top level", "", `{"errorCode":"410","message":"Throttle Limited"}`, ncpapi.APIError{Code: "410", Message: "Throttle Limited"}},
		{"html", "text/html", `<html><title> 502 Bad   Gateway </title></html>`, ncpapi.APIError{Message: "text/html response: 502 Bad Gateway"}},
		{"empty", "", "  ", ncpapi.APIError{Message: "empty response body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ncpapi.ParseError(context.Background(), "GET", "/p", 500, tt.ct, []byte(tt.body))
			tt.want.Method, tt.want.Path, tt.want.StatusCode = "GET", "/p", 500
			assert.Equal(t, tt.want, *got)
		})
	}
}

func TestTransportErrorNotSent(t *testing.T) {
	refused := &ncpapi.TransportError{Method: "PUT", Path: "/p", Err: syscall.ECONNREFUSED}
	assert.True(t, refused.NotSent())
	assert.Equal(t, "PUT /p: connection refused", refused.Error())
	dial := &ncpapi.TransportError{Err: &net.OpError{Op: "dial", Err: errors.New("x")}}
	assert.True(t, dial.NotSent())
	reset := &ncpapi.TransportError{Err: &net.OpError{Op: "read", Err: syscall.ECONNRESET}}
	assert.False(t, reset.NotSent(), "a dropped connection may have delivered the request")
}

func TestClip(t *testing.T) {
	assert.Equal(t, "abc", ncpapi.Clip("abc", 5))
	assert.Equal(t, "한…", ncpapi.Clip("한글", 4), "never cuts inside a rune")
}
