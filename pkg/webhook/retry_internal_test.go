package webhook

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/signing"
)

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
