package webhook

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/signing"
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
		{"Retry-After longer: honoured", 100 * ms, time.Second, 1, 700 * ms, 700 * ms, 700 * ms},
		{"Retry-After beyond max: capped", 100 * ms, time.Second, 1, time.Hour, time.Second, time.Second},
		{"Retry-After shorter: backoff kept", 100 * ms, time.Second, 4, 10 * ms, 400 * ms, 800 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &senderConfig{base: tt.base, max: tt.max}
			for range 200 {
				d := c.delay(tt.retry, tt.retryAfter)
				require.GreaterOrEqual(t, d, tt.wantLow)
				require.LessOrEqual(t, d, tt.wantTop)
			}
		})
	}
}

func TestRetryOptionNormalised(t *testing.T) {
	tests := []struct {
		name      string
		opt       SenderOption
		attempts  int
		base, max time.Duration
	}{
		{"defaults", nil, 3, 100 * time.Millisecond, time.Second},
		{"attempts below 1", WithRetry(-2, time.Millisecond, time.Second), 1, time.Millisecond, time.Second},
		{"negative base", WithRetry(2, -time.Second, 0), 2, 0, 0},
		{"max below base raised", WithRetry(2, time.Second, time.Millisecond), 2, time.Second, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSender("https://h/p", signing.NewSecret("x"), tt.opt)
			require.NoError(t, err)
			assert.Equal(t, tt.attempts, s.cfg.attempts)
			assert.Equal(t, tt.base, s.cfg.base)
			assert.Equal(t, tt.max, s.cfg.max)
			assert.Same(t, defaultClient, s.cfg.client, "the default client is shared")
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"2", 2 * time.Second}, {" 5 ", 5 * time.Second}, {"0", 0}, {"-1", 0},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0}, {"99999999", time.Hour},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, parseRetryAfter(tt.in), tt.in)
	}
}
