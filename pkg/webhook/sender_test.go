package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/webhook"
)

const senderSecret = "whsec_S3CR3T_never_print_me"

// received is one request as the test receiver saw it.
type received struct {
	method string
	path   string
	query  string
	header http.Header
	body   []byte
	user   string
	pass   string
}

// receiver is an httptest server that records every request and answers
// with the next status in its script (the last one repeats).
type receiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	got     []received
	script  []int
	headers map[string]string // extra answer headers
	hook    func(n int)       // called before answering request n (1-based)
}

func newReceiver(t *testing.T, script ...int) *receiver {
	t.Helper()
	rc := &receiver{script: script}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		user, pass, _ := r.BasicAuth()
		rc.mu.Lock()
		rc.got = append(rc.got, received{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body, user, pass})
		n := len(rc.got)
		status := http.StatusOK
		if len(rc.script) > 0 {
			status = rc.script[min(n, len(rc.script))-1]
		}
		hook := rc.hook
		rc.mu.Unlock()
		if hook != nil {
			hook(n)
		}
		for k, v := range rc.headers {
			w.Header().Set(k, v)
		}
		if status >= 300 && status < 400 {
			w.Header().Set("Location", "/redirected")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "answer body the sender must drain")
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func testEvent() webhook.Event {
	return webhook.Event{
		ID:        webhook.NewID(webhook.TypeFileComplete, "file-1"),
		Type:      webhook.TypeFileComplete,
		CreatedAt: time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC),
		FileID:    "file-1",
		Renditions: []webhook.Rendition{
			{EncodingOptionID: "7", OutputType: "HLS", Status: "COMPLETE", Link: "https://cdn.example/a.m3u8"},
		},
		Playback: &webhook.Playback{HLS: "https://cdn.example/a.m3u8"},
	}
}

// noWait makes retries immediate so that tests do not sleep.
func noWait(attempts int) webhook.SenderOption { return webhook.WithRetry(attempts, 0, 0) }

func newSender(t *testing.T, url string, opts ...webhook.SenderOption) *webhook.Sender {
	t.Helper()
	s, err := webhook.NewSender(url, signing.NewSecret(senderSecret), opts...)
	require.NoError(t, err)
	return s
}

func asDelivery(t *testing.T, err error) *webhook.DeliveryError {
	t.Helper()
	var de *webhook.DeliveryError
	require.ErrorAs(t, err, &de)
	return de
}

func TestSendRequestIsSignedAndComplete(t *testing.T) {
	rc := newReceiver(t)
	clock := time.Unix(1714566600, 0)
	s := newSender(t, rc.srv.URL+"/hooks/vod", webhook.WithClock(func() time.Time { return clock }))
	ev := testEvent()

	require.NoError(t, s.Send(context.Background(), ev))

	got := rc.requests()
	require.Len(t, got, 1)
	r := got[0]
	assert.Equal(t, http.MethodPost, r.method)
	assert.Equal(t, "/hooks/vod", r.path)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.Equal(t, "vodflow-webhook/1", r.header.Get("User-Agent"))
	assert.Equal(t, ev.ID, r.header.Get(webhook.EventIDHeader))
	assert.Equal(t, webhook.TypeFileComplete, r.header.Get(webhook.EventTypeHeader))
	assert.Equal(t, "t=1714566600,v1=", r.header.Get(webhook.SignatureHeader)[:len("t=1714566600,v1=")])

	// The signature verifies on exactly what the receiver got.
	require.NoError(t, webhook.VerifyAt(senderSecret, r.header.Get(webhook.SignatureHeader), r.body, 0, clock))
	assert.ErrorIs(t, webhook.VerifyAt("whsec_other", r.header.Get(webhook.SignatureHeader), r.body, 0, clock), webhook.ErrSignatureMismatch)

	var back webhook.Event
	require.NoError(t, json.Unmarshal(r.body, &back))
	assert.Equal(t, ev, back)
}

func TestSendCreatedAt(t *testing.T) {
	clock := time.Date(2024, 5, 1, 21, 30, 0, 0, time.FixedZone("KST", 9*3600))
	tests := []struct {
		name    string
		created time.Time
		want    string
	}{
		{"zero: set from the clock, in UTC", time.Time{}, "2024-05-01T12:30:00Z"},
		{"non-UTC: sent in UTC", time.Date(2024, 1, 2, 9, 0, 0, 0, time.FixedZone("KST", 9*3600)), "2024-01-02T00:00:00Z"},
		{"UTC: unchanged", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "2024-01-02T03:04:05Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t)
			s := newSender(t, rc.srv.URL, webhook.WithClock(func() time.Time { return clock }))
			ev := testEvent()
			ev.CreatedAt = tt.created
			require.NoError(t, s.Send(context.Background(), ev))
			assert.Equal(t, tt.created, ev.CreatedAt, "the caller's event is not modified")

			got := rc.requests()
			require.Len(t, got, 1)
			var m map[string]any
			require.NoError(t, json.Unmarshal(got[0].body, &m))
			assert.Equal(t, tt.want, m["created_at"])
		})
	}
}

func TestSendRetries(t *testing.T) {
	tests := []struct {
		name         string
		script       []int
		attempts     int
		wantAttempts int
		wantStatus   int // 0: success
	}{
		{"200 first", []int{200}, 3, 1, 0},
		{"204 is success", []int{204}, 3, 1, 0},
		{"299 is success", []int{299}, 3, 1, 0},
		{"300 not followed, not retried", []int{300, 200}, 3, 1, 300},
		{"399 not followed, not retried", []int{399, 200}, 3, 1, 399},
		{"503 then 200", []int{503, 200}, 3, 2, 0},
		{"500, 502 then 202", []int{500, 502, 202}, 3, 3, 0},
		{"429 retried", []int{429, 200}, 3, 2, 0},
		{"408 retried", []int{408, 200}, 3, 2, 0},
		{"503 until out of attempts", []int{503}, 3, 3, 503},
		{"one attempt configured", []int{503}, 1, 1, 503},
		{"attempts below 1 mean 1", []int{503}, 0, 1, 503},
		{"400 not retried", []int{400, 200}, 3, 1, 400},
		{"401 not retried", []int{401, 200}, 3, 1, 401},
		{"404 not retried", []int{404, 200}, 3, 1, 404},
		{"302 not followed, not retried", []int{302, 200}, 3, 1, 302},
		{"last status reported", []int{503, 429, 500}, 3, 3, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, tt.script...)
			s := newSender(t, rc.srv.URL+"/hook", noWait(tt.attempts))
			ev := testEvent()

			err := s.Send(context.Background(), ev)

			got := rc.requests()
			assert.Len(t, got, tt.wantAttempts, "requests the receiver saw")
			for _, r := range got {
				assert.Equal(t, "/hook", r.path, "no redirect followed")
				assert.NoError(t, webhook.Verify(senderSecret, r.header.Get(webhook.SignatureHeader), r.body, 0))
			}
			if tt.wantStatus == 0 {
				assert.NoError(t, err)
				return
			}
			de := asDelivery(t, err)
			assert.Equal(t, tt.wantAttempts, de.Attempts)
			assert.Equal(t, tt.wantStatus, de.StatusCode)
			assert.Equal(t, ev.ID, de.EventID)
			assert.Equal(t, rc.srv.URL+"/hook", de.Target)
			suffix := ""
			if tt.wantStatus/100 == 3 {
				suffix = ", a redirect to host " + strings.TrimPrefix(rc.srv.URL, "http://") + ", not followed"
			}
			assert.Equal(t, fmt.Sprintf("webhook: deliver %s to %s/hook: %d attempt%s: receiver answered %d%s",
				ev.ID, rc.srv.URL, tt.wantAttempts, map[bool]string{true: "", false: "s"}[tt.wantAttempts == 1], tt.wantStatus, suffix), err.Error())
			wantTemporary := tt.wantStatus == 408 || tt.wantStatus == 429 || tt.wantStatus >= 500
			assert.Equal(t, wantTemporary, de.Temporary())
		})
	}
}

func TestSendResignsEachAttempt(t *testing.T) {
	rc := newReceiver(t, 503, 503, 200)
	var mu sync.Mutex
	tick := time.Unix(1700000000, 0)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		tick = tick.Add(time.Second)
		return tick
	}
	s := newSender(t, rc.srv.URL, noWait(3), webhook.WithClock(clock))
	ev := testEvent()
	require.NoError(t, s.Send(context.Background(), ev))

	got := rc.requests()
	require.Len(t, got, 3)
	seen := map[string]bool{}
	for _, r := range got {
		sig := r.header.Get(webhook.SignatureHeader)
		assert.False(t, seen[sig], "each attempt has its own signature")
		seen[sig] = true
		assert.Equal(t, got[0].body, r.body, "the body is the same on every attempt")
		assert.Equal(t, ev.ID, r.header.Get(webhook.EventIDHeader))
	}
}

func TestSendHonoursRetryAfterWithinMax(t *testing.T) {
	// Retry-After asks for an hour; the max (1 ms) caps the wait, so the
	// retry happens.
	rc := newReceiver(t, 429, 200)
	rc.headers = map[string]string{"Retry-After": "3600"}
	s := newSender(t, rc.srv.URL, webhook.WithRetry(2, time.Millisecond, time.Millisecond))
	require.NoError(t, s.Send(context.Background(), testEvent()))
	assert.Len(t, rc.requests(), 2)
}

// Between attempts the sender waits its backoff (half to all of 40 ms here,
// so at least 20 ms), rather than retrying at once.
func TestSendWaitsBetweenRetries(t *testing.T) {
	rc := newReceiver(t, 503, 200)
	var mu sync.Mutex
	var at []time.Time
	rc.hook = func(int) { mu.Lock(); at = append(at, time.Now()); mu.Unlock() }
	s := newSender(t, rc.srv.URL, webhook.WithRetry(2, 40*time.Millisecond, 40*time.Millisecond))
	require.NoError(t, s.Send(context.Background(), testEvent()))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, at, 2)
	assert.GreaterOrEqual(t, at[1].Sub(at[0]), 20*time.Millisecond)
}

// A space is a legal header byte: an id or type with one is sent as is.
func TestSendIDWithASpace(t *testing.T) {
	rc := newReceiver(t)
	s := newSender(t, rc.srv.URL, noWait(1))
	ev := testEvent()
	ev.ID, ev.Type = "evt 1", "file complete"
	require.NoError(t, s.Send(context.Background(), ev))
	got := rc.requests()
	require.Len(t, got, 1)
	assert.Equal(t, "evt 1", got[0].header.Get(webhook.EventIDHeader))
	assert.Equal(t, "file complete", got[0].header.Get(webhook.EventTypeHeader))
}

func TestSendReceiverDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/hook"
	srv.Close()

	s := newSender(t, url, noWait(4))
	err := s.Send(context.Background(), testEvent())

	de := asDelivery(t, err)
	assert.Equal(t, 4, de.Attempts)
	assert.Equal(t, 0, de.StatusCode)
	assert.True(t, de.Temporary())
	assert.Contains(t, err.Error(), ": 4 attempts: ")
	assert.NotContains(t, err.Error(), `Post "`, "the client's URL-quoting wrapper is dropped")
}

func TestSendContextDeadline(t *testing.T) {
	tests := []struct {
		name         string
		base, max    time.Duration
		attempts     int
		wantRequests int
	}{
		// A first retry wait of at least 30 min cannot fit in the 1 min
		// deadline: Send gives up after one attempt instead of waiting.
		{"backoff longer than deadline", time.Hour, time.Hour, 5, 1},
		// Millisecond waits fit: every attempt is made.
		{"backoff shorter than deadline", time.Millisecond, time.Millisecond, 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, 503)
			s := newSender(t, rc.srv.URL, webhook.WithRetry(tt.attempts, tt.base, tt.max))
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()

			err := s.Send(ctx, testEvent())

			assert.NoError(t, ctx.Err(), "returned before the deadline")
			assert.Len(t, rc.requests(), tt.wantRequests)
			de := asDelivery(t, err)
			assert.Equal(t, tt.wantRequests, de.Attempts)
			assert.Equal(t, 503, de.StatusCode, "the last error is returned")
			assert.NotErrorIs(t, err, context.DeadlineExceeded)
		})
	}
}

func TestSendContextCanceled(t *testing.T) {
	t.Run("before the first attempt", func(t *testing.T) {
		rc := newReceiver(t)
		s := newSender(t, rc.srv.URL, noWait(3))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()

		err := s.Send(ctx, testEvent())

		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 0, asDelivery(t, err).Attempts)
		assert.Empty(t, rc.requests())
		assert.True(t, strings.HasSuffix(err.Error(), ": context canceled"), "no attempt to report, only the context: %q", err)
		assert.NotContains(t, err.Error(), "%!")
	})
	t.Run("during the backoff", func(t *testing.T) {
		rc := newReceiver(t, 503)
		// No deadline, so Send would wait up to an hour; canceling
		// while it waits (or just before) must stop it.
		s := newSender(t, rc.srv.URL, webhook.WithRetry(3, time.Hour, time.Hour))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rc.hook = func(int) { cancel() }

		err := s.Send(ctx, testEvent())

		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, asDelivery(t, err).Attempts)
		assert.Len(t, rc.requests(), 1)
	})
	t.Run("after an answer", func(t *testing.T) {
		// The context ends as the 503 is read (the body closed): the
		// error says both what the receiver answered and why Send
		// stopped.
		rc := newReceiver(t, 503)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		client := &http.Client{Transport: cancelOnClose{http.DefaultTransport, cancel}}
		s := newSender(t, rc.srv.URL, webhook.WithRetry(3, 0, 0), webhook.WithHTTPClient(client))

		err := s.Send(ctx, testEvent())

		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, asDelivery(t, err).Attempts)
		assert.Equal(t, 503, asDelivery(t, err).StatusCode)
		assert.Contains(t, err.Error(), "receiver answered 503; gave up: context canceled")
	})
}

func TestSendInvalidEvent(t *testing.T) {
	tests := []struct {
		name string
		edit func(*webhook.Event)
	}{
		{"no id", func(ev *webhook.Event) { ev.ID = "" }},
		{"no type", func(ev *webhook.Event) { ev.Type = "" }},
		{"control character in id", func(ev *webhook.Event) { ev.ID = "evt_1\r\nX-Injected: 1" }},
		{"control character in type", func(ev *webhook.Event) { ev.Type = "submitted\n" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t)
			s := newSender(t, rc.srv.URL, noWait(3))
			ev := testEvent()
			tt.edit(&ev)

			err := s.Send(context.Background(), ev)

			assert.ErrorIs(t, err, webhook.ErrInvalidEvent)
			de := asDelivery(t, err)
			assert.Equal(t, 0, de.Attempts)
			assert.False(t, de.Temporary())
			assert.Empty(t, rc.requests(), "nothing is sent")
		})
	}
}

func TestNewSenderValidation(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		secret  string
		wantErr error
		wantVar string
	}{
		{"https", "https://hooks.example.com/vodflow", senderSecret, nil, ""},
		{"http with port", "http://127.0.0.1:8080/x", senderSecret, nil, ""},
		{"uppercase scheme", "HTTPS://hooks.example.com/", senderSecret, nil, ""},
		{"empty", "", senderSecret, webhook.ErrInvalidURL, "WEBHOOK_URL"},
		{"relative", "/hooks/vodflow", senderSecret, webhook.ErrInvalidURL, "WEBHOOK_URL"},
		{"no scheme", "hooks.example.com/vodflow", senderSecret, webhook.ErrInvalidURL, "WEBHOOK_URL"},
		{"ftp", "ftp://hooks.example.com/x?token=abc", senderSecret, webhook.ErrInvalidURL, "WEBHOOK_URL"},
		{"no host", "https:///x?token=abc", senderSecret, webhook.ErrInvalidURL, "WEBHOOK_URL"},
		{"port only", "https://:443/x", senderSecret, webhook.ErrInvalidURL, "WEBHOOK_URL"},
		{"unparsable", "https://ho st/x?token=abc", senderSecret, webhook.ErrInvalidURL, "WEBHOOK_URL"},
		{"control character", "https://host/x?token=abc\n", senderSecret, webhook.ErrInvalidURL, "WEBHOOK_URL"},
		{"empty secret", "https://hooks.example.com/x", "", webhook.ErrNoSecret, "WEBHOOK_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := webhook.NewSender(tt.url, signing.NewSecret(tt.secret))
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.NotNil(t, s)
				return
			}
			assert.Nil(t, s)
			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.wantVar)
			assert.True(t, strings.HasPrefix(err.Error(), "webhook: "), err.Error())
			assert.NotContains(t, err.Error(), "token=abc")
			assert.NotContains(t, err.Error(), senderSecret)
		})
	}
}

func TestTargetAndErrorsHideUserinfoAndQuery(t *testing.T) {
	const leaky1, leaky2, leaky3 = "token=abc", "alice", "pa55word"
	notLeaky := func(t *testing.T, what, s string) {
		t.Helper()
		for _, leak := range []string{leaky1, "abc", leaky2, leaky3, "***@", senderSecret} {
			assert.NotContains(t, s, leak, what)
		}
	}

	t.Run("receiver answers 500", func(t *testing.T) {
		rc := newReceiver(t, 500)
		hostURL := strings.Replace(rc.srv.URL, "http://", "http://"+leaky2+":"+leaky3+"@", 1)
		s := newSender(t, hostURL+"/hook?"+leaky1+"#frag", noWait(2))

		assert.Equal(t, rc.srv.URL+"/hook", s.Target())
		err := s.Send(context.Background(), testEvent())
		require.Error(t, err)

		// The URL's userinfo and query are still sent.
		got := rc.requests()
		require.Len(t, got, 2)
		assert.Equal(t, leaky1, got[0].query)
		assert.Equal(t, leaky2, got[0].user)
		assert.Equal(t, leaky3, got[0].pass)

		notLeaky(t, "Target", s.Target())
		notLeaky(t, "Error", err.Error())
		notLeaky(t, "DeliveryError.Target", asDelivery(t, err).Target)
		notLeaky(t, "%+v of error", fmt.Sprintf("%+v", err))
	})

	t.Run("receiver down", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		base := srv.URL
		srv.Close()
		hostURL := strings.Replace(base, "http://", "http://"+leaky2+":"+leaky3+"@", 1)
		s := newSender(t, hostURL+"/hook?"+leaky1, noWait(2))

		err := s.Send(context.Background(), testEvent())
		require.Error(t, err)
		assert.Equal(t, base+"/hook", s.Target())
		notLeaky(t, "Error", err.Error())
		// Even the unwrapped cause does not quote the URL.
		notLeaky(t, "cause", errors.Unwrap(err).Error())
	})
}

func TestSenderNeverPrintsSecretOrURLSecrets(t *testing.T) {
	// The outputs hold heap pointers in hex, so every sentinel has letters
	// past "f" and is long: a match can only be a leak, never chance.
	const (
		user     = "USER-SENTINEL-alice-qwz"
		password = "PASSWORD-SENTINEL-pa55word-qwz"
		token    = "TOKEN-SENTINEL-7Kq2Wz9Rx4Lm"
	)
	s := newSender(t, "https://"+user+":"+password+"@hooks.example.com/vodflow?token="+token)
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("sender", "s", s)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("sender", "s", s)

	outputs := map[string]string{
		"%v":       fmt.Sprintf("%v", s),
		"%+v":      fmt.Sprintf("%+v", s),
		"%#v":      fmt.Sprintf("%#v", s),
		"%s":       fmt.Sprintf("%s", s),
		"%+v (*s)": fmt.Sprintf("%+v", *s),
		"%#v (*s)": fmt.Sprintf("%#v", *s),
		"String":   s.String(),
		"Target":   s.Target(),
		"slog":     logs.String(),
	}
	for name, out := range outputs {
		for _, leak := range []string{senderSecret, "token", token, user, password} {
			assert.NotContains(t, out, leak, name)
		}
	}
	assert.Equal(t, "webhook.Sender(https://hooks.example.com/vodflow)", fmt.Sprintf("%+v", s))
	assert.Contains(t, logs.String(), "s=webhook.Sender(https://hooks.example.com/vodflow)", "slog prints it through fmt")
}

func TestDeliveryErrorText(t *testing.T) {
	cause := errors.New("boom")
	tests := []struct {
		name string
		err  *webhook.DeliveryError
		want string
	}{
		{"status", &webhook.DeliveryError{EventID: "evt_1", Target: "https://h/p", Attempts: 3, StatusCode: 503, Err: errors.New("receiver answered 503")},
			"webhook: deliver evt_1 to https://h/p: 3 attempts: receiver answered 503"},
		{"one attempt", &webhook.DeliveryError{EventID: "evt_1", Target: "https://h/p", Attempts: 1, Err: cause},
			"webhook: deliver evt_1 to https://h/p: 1 attempt: boom"},
		{"no id, no cause", &webhook.DeliveryError{Target: "https://h/p"},
			"webhook: deliver to https://h/p: 0 attempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
			assert.Equal(t, tt.err.Err, tt.err.Unwrap())
		})
	}
	assert.ErrorIs(t, &webhook.DeliveryError{Err: cause}, cause)
}

// A context that ended before the first attempt makes a temporary failure
// of no attempts, whether it was cancelled or ran out of time.
func TestSendContextEndedBeforeAnyAttempt(t *testing.T) {
	expired, cancelExpired := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelExpired()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for name, ctx := range map[string]context.Context{"deadline passed": expired, "cancelled": cancelled} {
		t.Run(name, func(t *testing.T) {
			rc := newReceiver(t)
			err := newSender(t, rc.srv.URL, noWait(3)).Send(ctx, testEvent())
			de := asDelivery(t, err)
			assert.Equal(t, 0, de.Attempts)
			assert.True(t, de.Temporary())
			assert.Empty(t, rc.requests())
		})
	}
}

// TestSendReusesConnections: the default client reads an answer's body
// (up to 64 KB) before closing it, so the next delivery to the receiver
// goes over the same connection; a longer body is closed unread, and the
// next delivery needs a new connection, rather than being read whole.
func TestSendReusesConnections(t *testing.T) {
	for _, tt := range []struct {
		name     string
		body     int
		sameConn bool
	}{
		{"a 32 KB answer is drained", 32 << 10, true},
		{"a 100 KB answer is not", 100 << 10, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var remotes []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				mu.Lock()
				remotes = append(remotes, r.RemoteAddr)
				mu.Unlock()
				_, _ = w.Write(bytes.Repeat([]byte("a"), tt.body))
			}))
			t.Cleanup(srv.Close)
			s := newSender(t, srv.URL)
			for range 2 {
				require.NoError(t, s.Send(context.Background(), testEvent()))
			}
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, remotes, 2)
			assert.Equal(t, tt.sameConn, remotes[0] == remotes[1], "client addresses %v", remotes)
		})
	}
}

// cancelOnClose is a transport that cancels a context when an answer's
// body is closed: the attempt is then over, its answer read.
type cancelOnClose struct {
	http.RoundTripper
	cancel context.CancelFunc
}

func (c cancelOnClose) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.RoundTripper.RoundTrip(r)
	if err == nil {
		resp.Body = closeHook{resp.Body, c.cancel}
	}
	return resp, err
}

type closeHook struct {
	io.ReadCloser
	onClose func()
}

func (c closeHook) Close() error {
	err := c.ReadCloser.Close()
	c.onClose()
	return err
}

// TestDefaults: the defaults are part of the API, and README states them
// (a receiver that is down): each attempt waits at most 5 s for the
// receiver, 3 attempts in all, random waits between them (the first at
// most 100 ms, none over 1 s). A change must
// be deliberate, README with it.
func TestDefaults(t *testing.T) {
	assert.Equal(t, 5*time.Second, webhook.DefaultTimeout)
	assert.Equal(t, 3, webhook.DefaultAttempts)
	assert.Equal(t, 100*time.Millisecond, webhook.DefaultRetryBase)
	assert.Equal(t, time.Second, webhook.DefaultRetryMax)
}
