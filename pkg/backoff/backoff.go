// Package backoff owns the retry wait every vodflow client uses: capped
// exponential backoff with jitter, and the Retry-After header that may
// lengthen it.
package backoff

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Delay is the wait before retry n (1 = the first retry): random between
// half and all of min(max, base·2^(n-1)), or retryAfter when that is longer,
// capped at max. base <= 0 retries at once (unless retryAfter says wait).
func Delay(base, max time.Duration, n int, retryAfter time.Duration) time.Duration {
	ceiling := base
	for i := 1; i < n && ceiling < max; i++ {
		if ceiling > max/2 {
			ceiling = max
			break
		}
		ceiling *= 2
	}
	ceiling = min(ceiling, max)
	d := time.Duration(0)
	if ceiling > 0 {
		d = ceiling/2 + rand.N(ceiling/2+1)
	}
	if retryAfter > d {
		d = min(retryAfter, max)
	}
	return d
}

// ParseRetryAfter reads a Retry-After header given in seconds (at most an
// hour); an HTTP date, a negative number or anything else counts as none.
func ParseRetryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(min(n, 3600)) * time.Second
}
