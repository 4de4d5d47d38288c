package ncpfunctions

import (
	"bytes"
	"context"
	"encoding/json"
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

// BasePath is the path prefix of API v2.1.
const BasePath = "/ncf/api/v2"

// Platforms.
const (
	PlatformVPC     = "vpc"
	PlatformClassic = "classic"
)

// HostForRegion returns the API host of a region: kr (or empty), sg, jp.
func HostForRegion(region string) (string, error) {
	switch strings.ToLower(region) {
	case "", "kr":
		return "https://cloudfunctions.apigw.ntruss.com", nil
	case "sg", "jp":
		return "https://" + strings.ToLower(region) + "-cloudfunctions.apigw.ntruss.com", nil
	}
	return "", fmt.Errorf("ncpfunctions: region %q: want kr, sg or jp", region)
}

// Client calls the Cloud Functions API.
type Client struct {
	http     *resty.Client
	base     string // scheme://host/ncf/api/v2
	creds    signing.Credentials
	platform string
	now      func() time.Time
	hc       *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sends through hc.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.hc = hc }
}

// WithClock sets the clock used for signature timestamps.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// New returns a client for the API at apiURL: a host ("https://host",
// given /ncf/api/v2) or a host with its own base path. platform is vpc or
// classic.
func New(apiURL string, creds signing.Credentials, platform string, opts ...Option) (*Client, error) {
	if err := creds.Valid(); err != nil {
		return nil, fmt.Errorf("ncpfunctions: %w", err)
	}
	u, err := url.Parse(strings.TrimRight(apiURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("ncpfunctions: API URL %q must be http(s)://host[/base-path]", redact.URL(apiURL))
	}
	if u.Path == "" {
		u.Path = BasePath
	}
	if platform != PlatformVPC && platform != PlatformClassic {
		return nil, fmt.Errorf("ncpfunctions: platform %q: want vpc or classic", platform)
	}
	c := &Client{base: u.String(), creds: creds, platform: platform, now: time.Now}
	for _, o := range opts {
		o(c)
	}
	c.http = ncpapi.NewClient(c.hc, c.creds, func() time.Time { return c.now() }).SetTimeout(120 * time.Second)
	return c, nil
}

// BaseURL returns the API's base URL (scheme, host and base path).
func (c *Client) BaseURL() string { return c.base }

// Platform returns vpc or classic.
func (c *Client) Platform() string { return c.platform }

// URI returns the request URI of a call (base path, path and query with
// the platform), as it goes on the request line.
func (c *Client) URI(path string, query url.Values) string { return c.target(path, query).RequestURI() }

// target is the URL of a call: base, escaped path, platform and query.
func (c *Client) target(path string, query url.Values) *url.URL {
	u, _ := url.Parse(c.base)
	u = u.JoinPath(path)
	q := url.Values{"platform": {c.platform}}
	for k, v := range query {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u
}

// do sends method path?platform=…&query with body as JSON and decodes a
// 2xx answer into out (if non-nil).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	target := c.target(path, query)
	req := c.http.R().SetContext(ctx)
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode body: %w", err)
		}
		req.SetHeader("Content-Type", "application/json").SetBody(b)
	}
	resp, err := req.Execute(method, target.String())
	if err != nil {
		return ncpapi.NewTransportError(ctx, method, target.Path, err)
	}
	if ae := ncpapi.ResponseError(ctx, method, target.Path, resp); ae != nil {
		return ae
	}
	if out != nil && len(bytes.TrimSpace(resp.Body())) > 0 {
		if err := json.Unmarshal(resp.Body(), out); err != nil {
			return &APIError{Method: method, Path: target.Path, StatusCode: resp.StatusCode(), Message: "unreadable answer: " + err.Error()}
		}
	}
	return nil
}
