package ncpapi

import (
	"net/http"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/vodflow/vodflow/pkg/signing"
)

// MaxResponseBody caps how much of a response body is read.
const MaxResponseBody = 4 << 20

// NewClient returns a resty client (over a copy of hc, or resty's default
// when nil) that signs each request in its pre-request hook — where the
// final *http.Request and its RequestURI are visible — with creds and the
// time now() gives, so every attempt carries a fresh timestamp. Resty's own
// retries are off: callers decide what may be retried.
//
// It never follows a redirect: following one would send the body and the
// signed headers to whatever host the Location names, and take that host's
// answer as the service's. A 3xx answer is returned as it is; [CheckResponse]
// turns it into a [RedirectError]. hc itself is not modified.
func NewClient(hc *http.Client, creds signing.Credentials, now func() time.Time) *resty.Client {
	c := resty.New()
	if hc != nil {
		own := *hc
		c = resty.NewWithClient(&own)
	}
	return c.
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		})).
		SetRetryCount(0).
		SetResponseBodyLimit(MaxResponseBody).
		SetHeader("Accept", "application/json").
		SetHeader("User-Agent", "vodflow").
		SetLogger(discardLogger{}).
		SetPreRequestHook(func(_ *resty.Client, req *http.Request) error {
			return signing.SignRequest(req, creds, now())
		})
}

// discardLogger keeps resty's own warnings out of activation logs.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}
