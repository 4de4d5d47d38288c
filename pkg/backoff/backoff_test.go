package backoff_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/backoff"
)

func TestDelayBounds(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name             string
		base, max        time.Duration
		retry            int
		retryAfter       time.Duration
		wantLow, wantTop time.Duration
	}{
		{"first retry: base", 100 * ms, time.Second, 1, 0, 50 * ms, 100 * ms},
		{"second retry: doubled", 100 * ms, time.Second, 2, 0, 100 * ms, 200 * ms},
		{"fourth retry: 800 ms", 100 * ms, time.Second, 4, 0, 400 * ms, 800 * ms},
		{"capped at max", 100 * ms, time.Second, 10, 0, 500 * ms, time.Second},
		{"huge retry number does not overflow", time.Hour, 2 * time.Hour, 200, 0, time.Hour, 2 * time.Hour},
		{"zero base: no wait", 0, 0, 3, 0, 0, 0},
		{"negative base: no wait, even at a huge retry number", -5, time.Second, 200, 0, 0, 0},
		{"no cap to speak of: still doubles, no overflow", time.Second, math.MaxInt64, 2, 0, time.Second, 2 * time.Second},
		{"no cap to speak of, huge retry number: the cap", time.Nanosecond, math.MaxInt64, 1000, 0, math.MaxInt64 / 2, math.MaxInt64},
		{"1 ns: no panic on a tiny ceiling", time.Nanosecond, time.Nanosecond, 1, 0, 0, time.Nanosecond},
		{"Retry-After equal to the cap", 100 * ms, time.Second, 1, time.Second, time.Second, time.Second},
		{"Retry-After negative: ignored", 100 * ms, time.Second, 1, -time.Hour, 50 * ms, 100 * ms},
		{"Retry-After longer: honoured", 100 * ms, time.Second, 1, 700 * ms, 700 * ms, 700 * ms},
		{"Retry-After beyond max: capped", 100 * ms, time.Second, 1, time.Hour, time.Second, time.Second},
		{"Retry-After shorter: backoff kept", 100 * ms, time.Second, 4, 10 * ms, 400 * ms, 800 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 200 {
				d := backoff.Delay(tt.base, tt.max, tt.retry, tt.retryAfter)
				require.GreaterOrEqual(t, d, tt.wantLow)
				require.LessOrEqual(t, d, tt.wantTop)
			}
		})
	}
}

// The wait is drawn from the whole range, half to all of the ceiling: with
// a 4 ns ceiling, 2, 3 and 4 ns all come up in 300 draws (missing one has a
// chance below 1e-50).
func TestDelaySpreadsOverTheWholeRange(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 300 {
		seen[backoff.Delay(4, time.Second, 1, 0)] = true
	}
	assert.Equal(t, map[time.Duration]bool{2: true, 3: true, 4: true}, seen)
}

func TestParseRetryAfter(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"3": 3 * time.Second, " 10 ": 10 * time.Second, "0": 0, "-1": 0, "": 0,
		"Wed, 21 Oct 2026 07:28:00 GMT": 0, "99999": time.Hour,
	} {
		assert.Equal(t, want, backoff.ParseRetryAfter(in), in)
	}
}
