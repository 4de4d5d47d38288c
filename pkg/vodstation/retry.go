package vodstation

import (
	"errors"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/vodflow/vodflow/pkg/backoff"
)

// RetryPolicy bounds retries: at most MaxAttempts attempts, waiting a random
// time between half and all of min(MaxDelay, BaseDelay·2^(attempt-1)) between
// them, or the server's Retry-After when it asks for longer (capped at
// MaxDelay). A wait that would end past the context's deadline is not taken.
type RetryPolicy struct {
	MaxAttempts int
	BaseDelay   time.Duration
	MaxDelay    time.Duration
}

// DefaultRetryPolicy is 5 attempts, 100 ms base, 2 s cap.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 5, BaseDelay: 100 * time.Millisecond, MaxDelay: 2 * time.Second}
}

func (p RetryPolicy) delay(attempt int, retryAfter time.Duration) time.Duration {
	return backoff.Delay(p.BaseDelay, p.MaxDelay, attempt, retryAfter)
}

func retryAfter(resp *resty.Response) time.Duration {
	if resp == nil {
		return 0
	}
	return backoff.ParseRetryAfter(resp.Header().Get("Retry-After"))
}

// retryRule decides whether a failed attempt may be repeated.
type retryRule func(err error) bool

// retryRead is the rule for reads (GET): transport errors, 429 and 5xx.
func retryRead(err error) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return true
	}
	var ae *APIError
	return errors.As(err, &ae) && ae.Temporary()
}

// retrySubmit is the rule for add-files: only where nothing can have been
// accepted — the gateway throttled it (429) or no connection was made.
func retrySubmit(err error) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return te.NotSent()
	}
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == 429
}
