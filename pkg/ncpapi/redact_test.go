package ncpapi_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/ncpapi"
	"github.com/vodflow/vodflow/pkg/redact"
)

// sentinelSecret is an obviously fake secret; its first 6 bytes appear
// nowhere else.
const sentinelSecret = "SNTAPI-echoed-secret-0123456789"

func TestParseErrorScrubsBeforeClipping(t *testing.T) {
	pad := strings.Repeat("p", 290)
	tests := []struct{ name, ct, body string }{
		{"JSON message", "application/json", `{"error":{"errorCode":"400","message":"` + pad + sentinelSecret + `"}}`},
		{"JSON details", "application/json", `{"error":{"errorCode":"400","message":"bad","details":"` + pad + sentinelSecret + `"}}`},
		{"JSON without message", "application/json", `{"echo":"` + pad[:170] + sentinelSecret + `"}`},
		{"HTML title", "text/html", "<html><title>" + pad[:190] + sentinelSecret + "</title></html>"},
		{"plain text", "text/plain", pad[:190] + " " + sentinelSecret},
	}
	ctx := redact.NewContext(context.Background(), redact.New(sentinelSecret))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unscrubbed := ncpapi.ParseError(context.Background(), "PUT", "/p", 400, tt.ct, []byte(tt.body)).Error()
			require.Contains(t, unscrubbed, sentinelSecret[:6], "precondition: the clip boundary cuts the secret")
			require.NotContains(t, unscrubbed, sentinelSecret, "precondition: the clip boundary cuts the secret")

			msg := ncpapi.ParseError(ctx, "PUT", "/p", 400, tt.ct, []byte(tt.body)).Error()
			assert.NotContains(t, msg, sentinelSecret[:6])
			assert.Contains(t, msg, "[redact", "the placeholder may itself be clipped")
		})
	}
}

func TestParseErrorDropsEchoedHeaders(t *testing.T) {
	body := `{"error":{"errorCode":"200","message":"Authentication Failed","details":"x-ncp-apigw-signature-v2: SNTSIG-abcdef=="}}`
	e := ncpapi.ParseError(context.Background(), "GET", "/p", 401, "application/json", []byte(body))
	assert.Equal(t, "x-ncp-apigw-signature-v2: [redacted]", e.Details)
}

func TestTransportErrorHidesURLSecrets(t *testing.T) {
	raw := "http://user:SNTPWD-pass@host:badport/x?token=SNTTOK-query"
	//lint:ignore SA1007 the URL is invalid on purpose
	_, perr := url.Parse(raw)
	require.Error(t, perr)
	cause := &url.Error{Op: "Put", URL: raw, Err: perr}
	require.Contains(t, cause.Error(), "SNTPWD", "precondition")

	for _, e := range []*ncpapi.TransportError{
		{Method: "PUT", Path: "/x", Err: cause},
		ncpapi.NewTransportError(context.Background(), "PUT", "/x", cause),
	} {
		assert.NotContains(t, e.Error(), "SNTPWD")
		assert.NotContains(t, e.Error(), "SNTTOK")
	}

	ctx := redact.NewContext(context.Background(), redact.New(sentinelSecret))
	wrapped := ncpapi.NewTransportError(ctx, "PUT", "/x", errors.Join(syscall.ECONNRESET, errors.New("echo "+sentinelSecret)))
	assert.NotContains(t, wrapped.Error(), sentinelSecret[:6])
	assert.ErrorIs(t, wrapped, syscall.ECONNRESET, "the cause still unwraps")
}
