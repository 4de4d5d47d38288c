package action

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestHeadroom(t *testing.T) {
	ms := time.Millisecond
	for _, tt := range []struct{ left, want time.Duration }{
		{60 * time.Second, 500 * ms}, // capped
		{2 * time.Second, 400 * ms},  // a fifth
		{time.Second, 200 * ms},      // the floor
		{300 * ms, 150 * ms},         // never more than half
		{0, 0},
		{-time.Second, 0},
	} {
		assert.Equal(t, tt.want, headroom(tt.left), "left %v", tt.left)
	}
}
