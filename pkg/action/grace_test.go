package action_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
)

// TestGrace: the context for a failure report outlives the activation's
// own (its cancellation is ignored) and ends margin before the platform's
// deadline; without a deadline, after the fallback.
func TestGrace(t *testing.T) {
	const margin, fallback = 300 * time.Millisecond, 2 * time.Second
	tests := []struct {
		name     string
		envelope string
		want     func(platform time.Time) time.Time
	}{
		{"a deadline", `{"value":{},"deadline":"%d"}`, func(p time.Time) time.Time { return p.Add(-margin) }},
		{"no deadline", `{"value":{}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			platform := time.Now().Add(time.Minute).Truncate(time.Millisecond)
			var deadline time.Time
			var hasDeadline, alive bool
			var before, after time.Time
			h := action.Simple(func(ctx context.Context, _ struct{}) (map[string]any, error) {
				ended, end := context.WithCancel(ctx)
				end() // the activation's context is over
				before = time.Now()
				g, cancel := action.Grace(ended, margin, fallback)
				after = time.Now()
				defer cancel()
				deadline, hasDeadline = g.Deadline()
				alive = g.Err() == nil
				return map[string]any{}, nil
			})
			envelope := tt.envelope
			if strings.Contains(envelope, "%d") {
				envelope = fmt.Sprintf(envelope, platform.UnixMilli())
			}
			var out bytes.Buffer
			require.NoError(t, action.Serve(context.Background(), action.Options{In: strings.NewReader(envelope + "\n"), Out: &out}, h))
			require.True(t, hasDeadline)
			assert.True(t, alive, "not cancelled with the activation")
			if tt.want != nil {
				assert.Equal(t, tt.want(platform), deadline)
			} else {
				// fallback after the call: between the clock before and after it.
				assert.False(t, deadline.Before(before.Add(fallback)), "%v before %v", deadline, before.Add(fallback))
				assert.False(t, deadline.After(after.Add(fallback)), "%v after %v", deadline, after.Add(fallback))
			}
		})
	}
}
