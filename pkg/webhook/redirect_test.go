package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/webhook"
)

// TestSendNeverFollowsRedirects: a receiver that redirects to another host
// would have the signed event delivered there. Whatever client the Sender
// is given, a 3xx is a failure naming the status and the Location's host
// (never its query), and the other host receives nothing.
func TestSendNeverFollowsRedirects(t *testing.T) {
	clients := []struct {
		name string
		hc   func() *http.Client
	}{
		{"default client", func() *http.Client { return nil }},
		{"caller's client that follows redirects", func() *http.Client { return &http.Client{} }},
	}
	for _, status := range []int{301, 302, 307, 308} {
		for _, cl := range clients {
			t.Run(strconv.Itoa(status)+"/"+cl.name, func(t *testing.T) {
				var elsewhere, first atomic.Int32
				other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					elsewhere.Add(1)
				}))
				t.Cleanup(other.Close)
				hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					first.Add(1)
					w.Header().Set("Location", other.URL+"/steal?token=leaked-token-value")
					w.WriteHeader(status)
				}))
				t.Cleanup(hook.Close)
				hc := cl.hc()
				s := newSender(t, hook.URL+"/hook", noWait(3), webhook.WithHTTPClient(hc))

				err := s.Send(context.Background(), testEvent())

				require.Error(t, err)
				assert.Contains(t, err.Error(), "receiver answered "+strconv.Itoa(status)+", a redirect to host "+strings.TrimPrefix(other.URL, "http://")+", not followed")
				assert.NotContains(t, err.Error(), "leaked-token-value")
				assert.Equal(t, status, asDelivery(t, err).StatusCode)
				assert.Zero(t, elsewhere.Load(), "the other host receives nothing")
				assert.Equal(t, int32(1), first.Load(), "one attempt: a redirect is not retried")
				if hc != nil {
					assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
				}
			})
		}
	}
}

// TestSendRedirectWithoutLocation: a 3xx without a Location is a failure
// that says so; a status outside 3xx says no more than the status.
func TestSendRedirectWithoutLocation(t *testing.T) {
	for status, want := range map[int]string{
		302: "receiver answered 302, a redirect without a Location, not followed",
		300: "receiver answered 300, a redirect without a Location, not followed",
		400: "receiver answered 400",
	} {
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }))
		s := newSender(t, hook.URL, noWait(1))
		err := s.Send(context.Background(), testEvent())
		hook.Close()
		require.Error(t, err)
		assert.True(t, strings.HasSuffix(err.Error(), want), "%d: %q", status, err)
	}
}
