package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/redact"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// Sentinels the activation knows; their first 6 bytes appear nowhere else.
const (
	echoedToken  = "SNTWHK-callback-token-1"
	echoedQuirky = `SNTQRK"<&>\q91`
)

func TestSendScrubsTheBodyBeforeSigning(t *testing.T) {
	rc := newReceiver(t)
	s := newSender(t, rc.srv.URL+"/hook", noWait(1))
	set := redact.New(echoedToken, echoedQuirky)
	ctx := redact.NewContext(context.Background(), set)

	ev := testEvent()
	ev.Type = webhook.TypeSubmitFailed
	ev.Error = &webhook.ErrorInfo{Status: 400, Message: "VOD Station: bad notificationUrl https://gw/cb?token=" + echoedToken +
		" (" + echoedQuirky + ") via http://u:SNTPWD-pass@api:badport"}
	require.NoError(t, s.Send(ctx, ev))

	got := rc.requests()
	require.Len(t, got, 1)
	body := string(got[0].body)
	for _, leak := range []string{echoedToken, "SNTWHK", "SNTQRK", "SNTPWD"} {
		assert.NotContains(t, body, leak)
	}
	assert.True(t, json.Valid(got[0].body), "the scrubbed body is JSON: %s", body)
	var back webhook.Event
	require.NoError(t, json.Unmarshal(got[0].body, &back))
	require.NotNil(t, back.Error)
	assert.Equal(t, "VOD Station: bad notificationUrl https://gw/cb?token=[redacted] ([redacted]) via http://u:[redacted]@api:badport", back.Error.Message)
	assert.Equal(t, ev.Renditions, back.Renditions, "the rest of the event is kept")
	assert.NoError(t, webhook.Verify(senderSecret, got[0].header.Get(webhook.SignatureHeader), got[0].body, time.Hour),
		"the signature covers the body as sent")
}

// failingTransport fails every request with an error that quotes a secret.
type failingTransport struct{ msg string }

func (f failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New(f.msg)
}

func TestSendScrubsErrorTexts(t *testing.T) {
	hc := &http.Client{Transport: failingTransport{msg: "proxy refused token " + echoedToken}}
	s := newSender(t, "http://receiver.invalid/hook", noWait(1), webhook.WithHTTPClient(hc))

	unscrubbed := s.Send(context.Background(), testEvent())
	require.ErrorContains(t, unscrubbed, echoedToken, "precondition: the cause quotes the secret")

	ctx := redact.NewContext(context.Background(), redact.New(echoedToken))
	err := s.Send(ctx, testEvent())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SNTWHK")
	assert.Contains(t, err.Error(), "proxy refused token [redacted]")
	de := asDelivery(t, err)
	assert.Equal(t, 1, de.Attempts)
	assert.True(t, de.Temporary(), "the cause's meaning is kept")
}

func TestNewSenderErrorHidesUserinfoPassword(t *testing.T) {
	_, err := webhook.NewSender("http://user:SNTPWD-pass@host:badport/x", signing.NewSecret(senderSecret))
	require.ErrorIs(t, err, webhook.ErrInvalidURL)
	assert.NotContains(t, err.Error(), "SNTPWD")
}

// quotingTransport fails with an error of its own that quotes the request's
// URL in full (userinfo and query) and its path with the query.
type quotingTransport struct{ cause error }

func (q quotingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("upstream refused %s (asked for %s): %w", r.URL.String(), r.URL.RequestURI(), q.cause)
}

// The sender's own scrub, not only the context's Set: an error quoting the
// webhook URL, anywhere in the chain, shows neither its userinfo nor its
// query, and still unwraps to its cause.
func TestSendScrubsTheURLFromErrors(t *testing.T) {
	cause := errors.New("connection reset")
	hc := &http.Client{Transport: quotingTransport{cause: cause}}
	s := newSender(t, "http://hookuser:SNTPWD-x9@receiver.invalid/hook?token=SNTQRY-1", noWait(1), webhook.WithHTTPClient(hc))
	err := s.Send(context.Background(), testEvent())
	require.Error(t, err)
	for _, leak := range []string{"SNTPWD", "SNTQRY", "hookuser", "token="} {
		assert.NotContains(t, err.Error(), leak)
	}
	assert.Contains(t, err.Error(), "upstream refused http://receiver.invalid/hook (asked for /hook)")
	assert.ErrorIs(t, err, cause)
}
