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
// half and all of min(limit, base·2^(n-1)), or retryAfter when that is longer,
// capped at limit. base <= 0 retries at once (unless retryAfter says wait).
//
// It is written without redundant comparisons, so that each of its
// operators is pinned by a test (see docs/MUTATION.md).
func Delay(base, limit time.Duration, n int, retryAfter time.Duration) time.Duration {
	limit = max(limit, 0)
	ceiling := max(min(base, limit), 0)
	// Doubling, never past limit and without overflow: 63 doublings take
	// even 1 ns to any limit.
	for range min(n-1, 63) {
		ceiling += min(ceiling, limit-ceiling)
	}
	d := ceiling/2 + rand.N(ceiling/2+1)
	return max(d, min(retryAfter, limit))
}

// ParseRetryAfter reads a Retry-After header given in seconds (at most an
// hour); an HTTP date, a negative number or anything else counts as none.
func ParseRetryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0
	}
	return time.Duration(min(max(n, 0), 3600)) * time.Second
}
