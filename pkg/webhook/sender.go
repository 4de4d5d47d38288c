package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/backoff"
	"github.com/vodflow/vodflow/pkg/redact"
	"github.com/vodflow/vodflow/pkg/signing"
)

// Defaults for a [Sender].
const (
	// DefaultTimeout bounds one delivery attempt with the default client.
	DefaultTimeout = 5 * time.Second
	// DefaultAttempts is how many times Send tries before giving up.
	DefaultAttempts = 3
	// DefaultRetryBase is the first retry's wait ceiling.
	DefaultRetryBase = 100 * time.Millisecond
	// DefaultRetryMax caps every retry wait.
	DefaultRetryMax = 1 * time.Second
)

// UserAgent is the User-Agent of every delivery.
const UserAgent = "vodflow-webhook/1"

// maxDrain bounds how much of an answer body is read so that the connection
// can be reused; a longer body is closed unread.
const maxDrain = 64 << 10

var (
	// ErrInvalidURL reports a WEBHOOK_URL that is not an absolute http or
	// https URL with a host. NewSender's error names the variable but never
	// quotes the URL, which may carry a token.
	ErrInvalidURL = errors.New("invalid URL")
	// ErrInvalidEvent reports an event Send refuses before any attempt: no
	// id or type, or one that cannot go in a header.
	ErrInvalidEvent = errors.New("invalid event")
)

// defaultClient is shared by every Sender built without WithHTTPClient, so
// that connections are reused across senders. It does not follow redirects:
// a redirected POST would become a GET without a body, and a 3xx answer is
// reported as a failure instead.
var defaultClient = &http.Client{
	Timeout:       DefaultTimeout,
	CheckRedirect: noRedirect,
}

// noRedirect makes an http.Client return a 3xx answer instead of following
// it: a followed redirect would send the signed event to another host.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Sender delivers events to one URL, signed with one secret. It is safe for
// concurrent use; create it with [NewSender] (the zero value is not usable).
// Printing a Sender with any fmt verb shows only its
// [Sender.Target], never the secret, userinfo or query.
type Sender struct {
	// cfg is behind a pointer so that even reflection-based printing of a
	// Sender value shows an address, not the fields.
	cfg *senderConfig
}

type senderConfig struct {
	url      string // as given: may carry userinfo and a query
	target   string // redacted, safe to show
	secret   signing.Secret
	client   *http.Client
	now      func() time.Time
	attempts int
	base     time.Duration
	max      time.Duration
}

// SenderOption configures a [Sender].
type SenderOption func(*Sender)

// WithHTTPClient makes the Sender use hc's transport, timeout and cookie
// jar (nil keeps the default). The default is a client shared by all
// Senders, with a 5 s timeout. Either way redirects are never followed, so
// a signed event goes to WEBHOOK_URL's host only: the Sender uses a copy of
// hc whose CheckRedirect refuses them, and hc itself is not modified.
func WithHTTPClient(hc *http.Client) SenderOption {
	return func(s *Sender) {
		if hc != nil {
			own := *hc
			own.CheckRedirect = noRedirect
			s.cfg.client = &own
		}
	}
}

// WithClock sets the clock used for signature timestamps and for a missing
// CreatedAt (nil keeps time.Now). Retry waits and context deadlines always
// use the real clock.
func WithClock(now func() time.Time) SenderOption {
	return func(s *Sender) {
		if now != nil {
			s.cfg.now = now
		}
	}
}

// WithRetry sets the retry policy: at most attempts tries in all (values
// below 1 mean 1, no retry); before retry n (n = 1, 2, ...) Send waits a
// random time between half and all of min(max, base·2^(n-1)) — exponential
// backoff with jitter — or the receiver's Retry-After (in seconds) when it
// asks for longer, still capped at max. base <= 0 retries without waiting; a
// max below base is raised to base. The default is 3 attempts, 100 ms base,
// 1 s max.
func WithRetry(attempts int, base, max time.Duration) SenderOption {
	return func(s *Sender) {
		s.cfg.attempts = attempts
		s.cfg.base = base
		s.cfg.max = max
	}
}

// NewSender returns a Sender that POSTs events to rawURL, signed with
// secret. rawURL must be an absolute http or https URL with a host; the
// error names WEBHOOK_URL and wraps [ErrInvalidURL]. The secret must not be
// empty; the error names WEBHOOK_SECRET and wraps [ErrNoSecret]. Userinfo in
// the URL is sent as HTTP basic authentication, and the query is sent as is;
// both are left out of everything the Sender shows.
func NewSender(rawURL string, secret signing.Secret, opts ...SenderOption) (*Sender, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("webhook: WEBHOOK_URL: %w", err)
	}
	if secret.Empty() {
		return nil, fmt.Errorf("webhook: WEBHOOK_SECRET: %w", ErrNoSecret)
	}
	s := &Sender{cfg: &senderConfig{
		url:      rawURL,
		target:   redactURL(u),
		secret:   secret,
		client:   defaultClient,
		now:      time.Now,
		attempts: DefaultAttempts,
		base:     DefaultRetryBase,
		max:      DefaultRetryMax,
	}}
	for _, opt := range opts {
		if opt != nil {
			opt(s)
		}
	}
	c := s.cfg
	c.attempts = max(c.attempts, 1)
	c.base = max(c.base, 0)
	c.max = max(c.max, c.base)
	return s, nil
}

// parseURL checks that raw is an absolute http(s) URL with a host. Its
// errors never quote raw.
func parseURL(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// *url.Error quotes the whole URL; keep only the reason, which
		// may still quote a bad host or port but not a query.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: %s", ErrInvalidURL, redact.URL(err.Error()))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: scheme must be http or https", ErrInvalidURL)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: no host", ErrInvalidURL)
	}
	return u, nil
}

// redactURL returns u without userinfo, query or fragment.
func redactURL(u *url.URL) string {
	r := *u
	r.User = nil
	r.RawQuery = ""
	r.ForceQuery = false
	r.Fragment = ""
	r.RawFragment = ""
	return r.String()
}

// Target returns the URL events are sent to without userinfo, query or
// fragment, safe to log. The path is kept.
func (s *Sender) Target() string { return s.cfg.target }

// String returns "webhook.Sender(<Target>)".
func (s *Sender) String() string { return "webhook.Sender(" + s.cfg.target + ")" }

// Format makes every fmt verb, %+v and %#v included, print [Sender.String].
func (s *Sender) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// Send POSTs ev as JSON to the Sender's URL and returns nil on a 2xx answer.
//
// The request carries Content-Type application/json, User-Agent
// [UserAgent], [EventIDHeader], [EventTypeHeader] and [SignatureHeader]; the
// body is encoded once and signed again, with the clock's time, on every
// attempt. CreatedAt is sent in UTC, and set from the clock when zero; ev
// itself is not modified.
//
// Send retries transport errors and 408, 429 and 5xx answers, as set by
// [WithRetry]; it does not retry other answers (3xx, other 4xx). It never
// follows a redirect: the error names the status and the Location's host. It never
// starts a wait that would end past ctx's deadline: it returns the last
// error instead. Answer bodies are drained (up to 64 KiB) and closed so that
// connections are reused.
//
// The body is scrubbed with the Set of ctx (redact.FromContext) before it
// is signed, so that no secret the activation knows reaches the receiver in
// clear; error texts are scrubbed with the same Set.
//
// Every failure is a *[DeliveryError]. Its Err wraps [ErrInvalidEvent] for an
// event without id or type (nothing is sent), the context's error when ctx
// ended, or the last attempt's cause.
func (s *Sender) Send(ctx context.Context, ev Event) error {
	c := s.cfg
	secrets := redact.FromContext(ctx)
	fail := func(attempts, status int, err error) error {
		return &DeliveryError{EventID: ev.ID, Target: c.target, Attempts: attempts, StatusCode: status, Err: secrets.Err(err)}
	}
	if err := checkEvent(ev); err != nil {
		return fail(0, 0, err)
	}
	if ev.CreatedAt.IsZero() {
		ev.CreatedAt = c.now()
	}
	ev.CreatedAt = ev.CreatedAt.UTC()
	body, err := json.Marshal(ev)
	if err != nil {
		return fail(0, 0, fmt.Errorf("encode event: %w", err))
	}
	body = secrets.Bytes(body)

	var (
		lastErr    error
		lastStatus int
	)
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return fail(attempt-1, lastStatus, gaveUp(lastErr, err))
		}
		status, retryAfter, err := s.attempt(ctx, ev, body)
		if err == nil {
			return nil
		}
		lastErr, lastStatus = err, status
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fail(attempt, lastStatus, gaveUp(lastErr, ctxErr))
		}
		if attempt >= c.attempts || !retryable(status) {
			return fail(attempt, lastStatus, lastErr)
		}
		wait := c.delay(attempt, retryAfter)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			// The wait would end past the deadline: give up now
			// rather than fail after waiting.
			return fail(attempt, lastStatus, lastErr)
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return fail(attempt, lastStatus, gaveUp(lastErr, ctx.Err()))
			case <-t.C:
			}
		}
	}
}

// gaveUp combines the last attempt's error with the context's, so that
// errors.Is finds both; either may be nil.
func gaveUp(last, ctxErr error) error {
	switch {
	case last == nil:
		return ctxErr
	case errors.Is(last, ctxErr):
		return last
	}
	return fmt.Errorf("%w; gave up: %w", last, ctxErr)
}

// checkEvent refuses an event whose id or type is empty or cannot go in a
// header. Its errors never quote the values.
func checkEvent(ev Event) error {
	switch {
	case ev.ID == "":
		return fmt.Errorf("%w: no id", ErrInvalidEvent)
	case ev.Type == "":
		return fmt.Errorf("%w: no type", ErrInvalidEvent)
	case hasControl(ev.ID):
		return fmt.Errorf("%w: id has a control character", ErrInvalidEvent)
	case hasControl(ev.Type):
		return fmt.Errorf("%w: type has a control character", ErrInvalidEvent)
	}
	return nil
}

// attempt makes one delivery. It returns the answer's status (0 when there
// was none), the Retry-After it asked for, and an error unless it was 2xx.
func (s *Sender) attempt(ctx context.Context, ev Event, body []byte) (int, time.Duration, error) {
	c := s.cfg
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, &transportError{err: c.scrub(err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(EventIDHeader, ev.ID)
	req.Header.Set(EventTypeHeader, ev.Type)
	req.Header.Set(SignatureHeader, Sign(c.secret.Reveal(), c.now(), body))

	resp, err := c.client.Do(req)
	if err != nil {
		return 0, 0, &transportError{err: c.scrub(err)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	_ = resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return resp.StatusCode, 0, nil
	}
	se := &statusError{code: resp.StatusCode}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		se.redirect = redirectHost(req.URL, resp.Header.Get("Location"))
	}
	return resp.StatusCode, backoff.ParseRetryAfter(resp.Header.Get("Retry-After")), se
}

// redirectHost is the host a redirect's Location points to, resolved
// against the request's URL ("" when there is none); never its path or
// query, which may carry tokens.
func redirectHost(base *url.URL, location string) string {
	location = strings.TrimSpace(location)
	if location == "" {
		return ""
	}
	u, err := url.Parse(location)
	if err != nil {
		return "(unreadable Location)"
	}
	return base.ResolveReference(u).Host
}

// retryable reports whether an attempt that ended with status (0: no
// answer) may be repeated.
func retryable(status int) bool {
	return status == 0 || status == http.StatusRequestTimeout ||
		status == http.StatusTooManyRequests || status >= 500
}

func (c *senderConfig) delay(n int, retryAfter time.Duration) time.Duration {
	return backoff.Delay(c.base, c.max, n, retryAfter)
}

// scrub removes the URL's userinfo and query from err. The http client
// wraps its errors in a *url.Error that quotes the URL (with the password
// masked, but with the user name and the query); that wrapper is replaced by
// its cause, and any remaining copy of the URL is redacted in the text.
func (c *senderConfig) scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	clean := msg
	if u, perr := url.Parse(c.url); perr == nil {
		for _, leak := range leakyForms(u) {
			clean = strings.ReplaceAll(clean, leak, c.target)
		}
		if u.RawQuery != "" {
			clean = strings.ReplaceAll(clean, "?"+u.RawQuery, "")
		}
	}
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}

// leakyForms lists the ways the URL may be spelled in an error, longest
// first.
func leakyForms(u *url.URL) []string {
	forms := []string{u.String()}
	if _, has := u.User.Password(); has {
		m := *u
		m.User = url.UserPassword(u.User.Username(), "***")
		forms = append(forms, m.String())
	}
	return forms
}

// transportError is a failure to get any answer.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// statusError is a non-2xx answer; redirect is the host a 3xx pointed to.
type statusError struct {
	code     int
	redirect string
}

func (e *statusError) Error() string {
	msg := "receiver answered " + strconv.Itoa(e.code)
	switch {
	case e.code < 300 || e.code > 399:
	case e.redirect == "":
		msg += ", a redirect without a Location, not followed"
	default:
		msg += ", a redirect to host " + e.redirect + ", not followed"
	}
	return msg
}

// redactedError shows a cleaned text for an error whose own text quoted the
// URL; errors.Is and errors.As still see the cause.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// DeliveryError is a failed [Sender.Send]. Its text names the event, the
// redacted target, the number of attempts and the last cause, and never
// contains the secret, the URL's userinfo or its query.
type DeliveryError struct {
	// EventID is the id of the event that was not delivered.
	EventID string
	// Target is the URL without userinfo or query, as [Sender.Target].
	Target string
	// Attempts is how many requests were made (0 if none was).
	Attempts int
	// StatusCode is the last HTTP status received, 0 if none.
	StatusCode int
	// Err is the cause: the last attempt's error, the context's, or one
	// wrapping ErrInvalidEvent.
	Err error
}

// Error implements error, for example
// "webhook: deliver evt_… to https://host/path: 3 attempts: receiver answered 503".
func (e *DeliveryError) Error() string {
	var b strings.Builder
	b.WriteString("webhook: deliver ")
	if e.EventID != "" {
		b.WriteString(e.EventID)
		b.WriteString(" ")
	}
	b.WriteString("to ")
	b.WriteString(e.Target)
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(e.Attempts))
	if e.Attempts == 1 {
		b.WriteString(" attempt")
	} else {
		b.WriteString(" attempts")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *DeliveryError) Unwrap() error { return e.Err }

// Temporary reports whether sending the same event later may succeed: the
// last attempt got no answer or 408, 429 or 5xx, or the context ended before
// any attempt. It is false for an event that could not be sent at all
// (invalid, not encodable) and for other answers.
func (e *DeliveryError) Temporary() bool {
	if e.Attempts == 0 {
		return errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded)
	}
	return retryable(e.StatusCode)
}
