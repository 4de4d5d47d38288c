package vodstation

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/vodflow/vodflow/pkg/ncpapi"
	"github.com/vodflow/vodflow/pkg/redact"
	"github.com/vodflow/vodflow/pkg/signing"
)

// DefaultBaseURL is the public VOD Station endpoint.
const DefaultBaseURL = "https://vodstation.apigw.ntruss.com"

// RegionHeader carries the NCP region code on every request.
const RegionHeader = "x-ncp-region_code"

// Client calls the VOD Station API. It is safe for concurrent use and meant
// to be reused across activations of a warm container.
type Client struct {
	http    *resty.Client
	baseURL string
	creds   signing.Credentials
	now     func() time.Time
	hc      *http.Client
	region  string
	timeout time.Duration
	retry   RetryPolicy
	sleep   func(context.Context, time.Duration) error
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the client send through hc (its Transport and Timeout).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.hc = hc }
}

// WithClock sets the clock used for signature timestamps.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithRegion sets the x-ncp-region_code header (default "KR").
func WithRegion(region string) Option {
	return func(c *Client) { c.region = region }
}

// WithRetry replaces the retry policy.
func WithRetry(p RetryPolicy) Option { return func(c *Client) { c.retry = p } }

// WithTimeout bounds each attempt (default 20 s); the context bounds the call.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// New returns a client for the API at baseURL (scheme and host, optionally
// a path prefix) signing with creds.
func New(baseURL string, creds signing.Credentials, opts ...Option) (*Client, error) {
	if err := creds.Valid(); err != nil {
		return nil, fmt.Errorf("vodstation: %w", err)
	}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("vodstation: base URL %q must be http(s)://host", redact.URL(baseURL))
	}
	c := &Client{
		baseURL: u.String(),
		creds:   creds,
		now:     time.Now,
		retry:   DefaultRetryPolicy(),
		region:  "KR",
		timeout: 20 * time.Second,
		sleep:   sleepCtx,
	}
	for _, o := range opts {
		o(c)
	}
	// Retries are ours (see RetryPolicy); resty's are off.
	c.http = ncpapi.NewClient(c.hc, c.creds, func() time.Time { return c.now() }).
		SetTimeout(c.timeout).
		SetHeader(RegionHeader, c.region)
	return c, nil
}

// call is the one request path: it sends method path?query (body as JSON
// when non-nil) under the retry rule, and returns the raw 2xx response.
func (c *Client) call(ctx context.Context, op, method, path string, query url.Values, body []byte, rule retryRule) (*resty.Response, error) {
	target := c.baseURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var lastErr error
	for attempt := 1; ; attempt++ {
		req := c.http.R().SetContext(ctx)
		if body != nil {
			req.SetHeader("Content-Type", "application/json").SetBody(body)
		}
		resp, err := req.Execute(method, target)
		err = classify(ctx, method, path, resp, err)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		if !rule(err) || attempt >= c.retry.MaxAttempts {
			break
		}
		wait := c.retry.delay(attempt, retryAfter(resp))
		if dl, ok := ctx.Deadline(); ok && c.now().Add(wait).After(dl) {
			lastErr = fmt.Errorf("%w (no time left to retry before the deadline)", lastErr)
			break
		}
		if c.sleep(ctx, wait) != nil {
			break
		}
	}
	return nil, fmt.Errorf("vodstation: %s: %w", op, lastErr)
}

// classify turns a resty outcome into nil (2xx) or a typed error, its
// text scrubbed with the Set of ctx.
func classify(ctx context.Context, method, path string, resp *resty.Response, err error) error {
	if err != nil {
		return &TransportError{*ncpapi.NewTransportError(ctx, method, path, err)}
	}
	if ae := ncpapi.ResponseError(ctx, method, path, resp); ae != nil {
		return newAPIError(ae)
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
