package vodstation_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

func TestDefaultRetryPolicy(t *testing.T) {
	assert.Equal(t, vodstation.RetryPolicy{MaxAttempts: 5, BaseDelay: 100 * time.Millisecond, MaxDelay: 2 * time.Second},
		vodstation.DefaultRetryPolicy())
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A request is bounded even when the caller's context is not: by the
// client's timeout, 20 s unless WithTimeout says otherwise.
func TestEveryRequestHasATimeout(t *testing.T) {
	tests := []struct {
		name string
		opts []vodstation.Option
		want time.Duration
	}{
		{"default: 20 s", nil, 20 * time.Second},
		{"WithTimeout", []vodstation.Option{vodstation.WithTimeout(3 * time.Second)}, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var left time.Duration
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				dl, ok := r.Context().Deadline()
				require.True(t, ok, "the request has no deadline")
				left = time.Until(dl)
				return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{"content":[],"total":0}`)), Request: r}, nil
			})}
			c, err := vodstation.New("http://vod.test", signing.Credentials{AccessKey: testAK, SecretKey: signing.NewSecret(testSK)},
				append([]vodstation.Option{vodstation.WithHTTPClient(hc)}, tt.opts...)...)
			require.NoError(t, err)
			_, err = c.ListCategories(context.Background(), 1, 20)
			require.NoError(t, err)
			assert.InDelta(t, tt.want.Seconds(), left.Seconds(), 1)
		})
	}
}

// A 429 asking for a longer wait than the backoff is honoured: with 1 s asked
// and 300 ms left, the client does not retry into the deadline.
func TestRetryAfterLengthensTheWait(t *testing.T) {
	var n atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(429)
		io.WriteString(w, `{"error":{"errorCode":"429","message":"slow down"}}`)
	}, vodstation.WithRetry(vodstation.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Second}))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.ListCategories(ctx, 1, 20)
	var apiErr *vodstation.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 429, apiErr.StatusCode)
	assert.Contains(t, err.Error(), "no time left to retry")
	assert.Equal(t, int32(1), n.Load(), "retried although Retry-After asked for longer than the time left")
}

// When the wait between attempts is cut short by the caller, the client stops
// and reports the server's answer, not the cancellation of a next attempt.
// The caller cancels once the first answer is in (seen through the clock the
// client reads before it waits), so the wait is what the cancellation cuts.
func TestCancelledDuringTheWaitKeepsTheAPIError(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Hour)
	defer cancel()
	var n atomic.Int32
	clock := func() time.Time {
		if n.Load() > 0 {
			cancel()
		}
		return time.Now()
	}
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(503)
		fmt.Fprint(w, `{"error":{"errorCode":"503","message":"busy"}}`)
	}, vodstation.WithClock(clock), vodstation.WithRetry(vodstation.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}))
	_, err := c.ListCategories(ctx, 1, 20)
	var apiErr *vodstation.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Equal(t, int32(1), n.Load())
}
