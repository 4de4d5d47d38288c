package actionproxy

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPoolConcurrentActivations(t *testing.T) {
	var logs syncBuffer
	pool, err := NewPool(context.Background(), Options{Path: echoPath, Logs: &logs}, 4)
	require.NoError(t, err)
	t.Cleanup(func() { _ = pool.Close() })
	require.Equal(t, 4, pool.Size())
	pids := map[float64]bool{}
	for _, p := range pool.Processes() {
		pids[float64(p.Pid())] = true
		assert.Positive(t, p.StartupTime())
	}
	require.Len(t, pids, 4)

	const n = 50
	results := make([]map[string]any, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := pool.Run(context.Background(), map[string]any{"n": i, "sleep_ms": 5, "log": "activation"}, runTimeout)
			if err != nil {
				errs[i] = err
				return
			}
			results[i], errs[i] = res.Object()
		}()
	}
	wg.Wait()

	used := map[float64]bool{}
	for i := range n {
		require.NoError(t, errs[i], "activation %d", i)
		assert.Equal(t, map[string]any{"n": float64(i), "sleep_ms": float64(5), "log": "activation"}, results[i]["value"])
		pid := results[i]["pid"].(float64)
		assert.True(t, pids[pid], "activation %d ran on pid %v outside the pool", i, pid)
		used[pid] = true
	}
	assert.Greater(t, len(used), 1, "activations must spread over processes")
	assert.Equal(t, 0, pool.Restarts())

	require.NoError(t, pool.Close())
	assert.Contains(t, logs.String(), "activation\n")
	_, err = pool.Run(context.Background(), nil, runTimeout)
	assert.ErrorIs(t, err, ErrPoolClosed)
}

func TestPoolReplacesExitedProcess(t *testing.T) {
	pool, err := NewPool(context.Background(), Options{Path: echoPath}, 1)
	require.NoError(t, err)
	t.Cleanup(func() { _ = pool.Close() })
	old := pool.Processes()[0]

	_, err = pool.Run(context.Background(), map[string]any{"sleep_ms": 60_000}, 200*time.Millisecond)
	require.ErrorIs(t, err, ErrTimeout)

	res, err := pool.Run(context.Background(), map[string]any{"n": 1}, runTimeout)
	require.NoError(t, err)
	obj, err := res.Object()
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"n": float64(1)}, obj["value"])
	assert.NotEqual(t, float64(old.Pid()), obj["pid"])
	assert.Equal(t, 1, pool.Restarts())
	assert.NotSame(t, old, pool.Processes()[0])
}

func TestPoolRunWaitsForContext(t *testing.T) {
	pool, err := NewPool(context.Background(), Options{Path: echoPath}, 1)
	require.NoError(t, err)
	t.Cleanup(func() { _ = pool.Close() })
	busy := make(chan struct{})
	go func() {
		defer close(busy)
		_, _ = pool.Run(context.Background(), map[string]any{"sleep_ms": 1000}, runTimeout)
	}()
	require.Eventually(t, func() bool { return pool.Processes()[0].inFlight.Load() }, 10*time.Second, 5*time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = pool.Run(ctx, nil, runTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	<-busy
}

func TestNewPoolFailure(t *testing.T) {
	_, err := NewPool(context.Background(), Options{Path: echoPath, Env: map[string]string{"ECHO_EXIT_AT_START": "1"}}, 3)
	assert.ErrorIs(t, err, ErrExited)
	_, err = NewPool(context.Background(), Options{Path: echoPath}, 0)
	assert.Error(t, err)
}
