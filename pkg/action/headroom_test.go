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

// TestHandlerDeadlineKeepsHeadroom: the handler's deadline is the
// platform's (__OW_DEADLINE) less a fifth of the time left, at least
// MinHeadroom and at most MaxHeadroom, never more than half of what is left
// and never after the platform's; read on the loop's own clock.
func TestHandlerDeadlineKeepsHeadroom(t *testing.T) {
	ms := time.Millisecond
	now := time.UnixMilli(1_700_000_000_000)
	tests := []struct {
		name           string
		left, headroom time.Duration
	}{
		{"a minute: capped", 60 * time.Second, action.MaxHeadroom},
		{"2.5 s: exactly at the cap", 2500 * ms, action.MaxHeadroom},
		{"2 s: a fifth", 2 * time.Second, 400 * ms},
		{"1.5 s: a fifth", 1500 * ms, 300 * ms},
		{"1 s: exactly at the floor", time.Second, action.MinHeadroom},
		{"600 ms: the floor", 600 * ms, action.MinHeadroom},
		{"300 ms: half of it", 300 * ms, 150 * ms},
		{"already past: none", -time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got action.Activation
			h := action.Simple(func(ctx context.Context, _ struct{}) (map[string]any, error) {
				got = action.ActivationFrom(ctx)
				return map[string]any{}, nil
			})
			platform := now.Add(tt.left)
			var out bytes.Buffer
			require.NoError(t, action.Serve(context.Background(), action.Options{
				In:  strings.NewReader(fmt.Sprintf(`{"value":{},"deadline":"%d"}`+"\n", platform.UnixMilli())),
				Out: &out, Now: func() time.Time { return now },
			}, h))
			assert.Equal(t, platform, got.PlatformDeadline)
			assert.Equal(t, tt.headroom, got.PlatformDeadline.Sub(got.Deadline), "headroom")
		})
	}
}
