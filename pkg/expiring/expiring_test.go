package expiring_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/expiring"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time                                { return c.t }
func (c *clock) add(d time.Duration)                           { c.t = c.t.Add(d) }
func newClock() *clock                                         { return &clock{t: time.Unix(1_700_000_000, 0)} }
func get(c *expiring.Cache[string, int], k string) (int, bool) { return c.Get(k) }

func TestExpiry(t *testing.T) {
	clk := newClock()
	c := expiring.New[string, int](4, clk.now)
	c.Put("a", 1, 10*time.Second)
	c.Put("forever", 2, 0)

	clk.add(9 * time.Second)
	v, ok := get(c, "a")
	require.True(t, ok, "live one second before expiry")
	assert.Equal(t, 1, v)

	clk.add(time.Second)
	_, ok = get(c, "a")
	assert.False(t, ok, "expired exactly at its TTL")
	assert.Equal(t, 1, c.Len(), "an expired entry read is dropped")

	clk.add(1000 * time.Hour)
	v, ok = get(c, "forever")
	assert.True(t, ok)
	assert.Equal(t, 2, v)
}

func TestPutReplacesValueAndTTL(t *testing.T) {
	clk := newClock()
	c := expiring.New[string, int](2, clk.now)
	c.Put("a", 1, time.Second)
	c.Put("a", 5, time.Minute)
	clk.add(30 * time.Second)
	v, ok := get(c, "a")
	require.True(t, ok)
	assert.Equal(t, 5, v)
	assert.Equal(t, 1, c.Len())
}

func TestBoundEvictsExpiredFirstThenLeastRecentlyUsed(t *testing.T) {
	clk := newClock()
	c := expiring.New[string, int](3, clk.now)
	c.Put("old", 1, 0)
	c.Put("short", 2, time.Second)
	c.Put("used", 3, 0)
	_, _ = get(c, "old") // old is now more recently used than used
	clk.add(2 * time.Second)

	c.Put("d", 4, 0) // short has expired: it goes, nothing live is lost
	for _, k := range []string{"old", "used", "d"} {
		_, ok := get(c, k)
		assert.True(t, ok, k)
	}
	assert.Equal(t, 3, c.Len())

	_, _ = get(c, "used")
	_, _ = get(c, "d")
	c.Put("e", 5, 0) // full of live entries: the least recently used (old) goes
	_, ok := get(c, "old")
	assert.False(t, ok)
	assert.Equal(t, 3, c.Len())
	for _, k := range []string{"used", "d", "e"} {
		_, ok := get(c, k)
		assert.True(t, ok, k)
	}
}

func TestMinimumBoundIsOne(t *testing.T) {
	c := expiring.New[string, int](0, nil)
	c.Put("a", 1, 0)
	c.Put("b", 2, 0)
	assert.Equal(t, 1, c.Len())
	_, ok := get(c, "b")
	assert.True(t, ok)
}

func TestDelete(t *testing.T) {
	c := expiring.New[string, int](2, nil)
	c.Put("a", 1, 0)
	c.Delete("a")
	c.Delete("missing")
	_, ok := get(c, "a")
	assert.False(t, ok)
	assert.Equal(t, 0, c.Len())
}

func TestGetOrCreate(t *testing.T) {
	c := expiring.New[string, int](2, nil)
	calls := 0
	mk := func() (int, error) { calls++; return 7, nil }
	for range 3 {
		v, err := c.GetOrCreate("a", 0, mk)
		require.NoError(t, err)
		assert.Equal(t, 7, v)
	}
	assert.Equal(t, 1, calls)

	boom := errors.New("boom")
	_, err := c.GetOrCreate("b", 0, func() (int, error) { return 0, boom })
	assert.ErrorIs(t, err, boom)
	_, ok := get(c, "b")
	assert.False(t, ok, "a failed create stores nothing")
}

func TestConcurrentUse(t *testing.T) {
	c := expiring.New[int, int](16, nil)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				c.Put((g*500+i)%40, i, time.Millisecond)
				c.Get(i % 40)
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, c.Len(), 16)
}
