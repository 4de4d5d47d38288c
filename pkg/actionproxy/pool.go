package actionproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Pool runs activations on a fixed number of processes of the same action
// binary, like a burst of warm containers: Run takes a free process, waiting
// for one if all are busy. A process that has exited (after a timeout, a
// crash) is replaced in the background by a freshly started one.
type Pool struct {
	opts Options
	free chan *Process
	done chan struct{}

	mu       sync.Mutex
	procs    []*Process
	restarts int
	closed   bool
	wg       sync.WaitGroup // replacements in progress
}

// NewPool starts n processes of opts.Path concurrently and waits for all
// their acks. ctx bounds the starts only. If a process fails to start, the
// others are closed and the error is returned. If opts.Logs is set, the
// processes share it through a mutex.
func NewPool(ctx context.Context, opts Options, n int) (*Pool, error) {
	if n < 1 {
		return nil, fmt.Errorf("new pool: size %d, want at least 1", n)
	}
	if opts.Logs != nil {
		opts.Logs = &lockedWriter{w: opts.Logs}
	}
	procs := make([]*Process, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			procs[i], errs[i] = Start(ctx, opts)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, p := range procs {
			if p != nil {
				_ = p.Close()
			}
		}
		return nil, fmt.Errorf("new pool: %w", err)
	}
	pool := &Pool{opts: opts, free: make(chan *Process, n), done: make(chan struct{}), procs: procs}
	for _, p := range procs {
		pool.free <- p
	}
	return pool, nil
}

// Size returns the number of processes in the pool.
func (p *Pool) Size() int { return cap(p.free) }

// Processes returns the pool's current processes, for example to read their
// StartupTime or RSS.
func (p *Pool) Processes() []*Process {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*Process(nil), p.procs...)
}

// Restarts returns how many exited processes the pool has replaced.
func (p *Pool) Restarts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.restarts
}

// Run runs one activation on a free process; see [Process.Run]. It waits
// for a free process until ctx ends, and fails with ErrPoolClosed once the
// pool is closed.
func (p *Pool) Run(ctx context.Context, params any, timeout time.Duration) (*Result, error) {
	select {
	case <-p.done:
		return nil, fmt.Errorf("pool run: %w", ErrPoolClosed)
	default:
	}
	var proc *Process
	select {
	case proc = <-p.free:
	case <-p.done:
		return nil, fmt.Errorf("pool run: %w", ErrPoolClosed)
	case <-ctx.Done():
		return nil, fmt.Errorf("pool run: wait for a free process: %w", ctx.Err())
	}
	res, err := proc.Run(ctx, params, timeout)
	p.release(proc)
	return res, err
}

// release gives proc back to the pool, replacing it first if it has exited.
func (p *Pool) release(proc *Process) {
	if !proc.gone() {
		p.free <- proc
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.free <- proc // keeps Close's count right; Runs see p.done first
		return
	}
	p.wg.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.wg.Done()
		p.free <- p.replace(proc)
	}()
}

// replace starts a process in place of old, which has exited or been
// killed. If the start
// fails, old stays in the pool (its Runs report the exit) and the next
// release tries again.
func (p *Pool) replace(old *Process) *Process {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-p.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	np, err := Start(ctx, p.opts)
	if err != nil {
		return old
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = np.Close()
		return old
	}
	for i, q := range p.procs {
		if q == old {
			p.procs[i] = np
		}
	}
	p.restarts++
	p.mu.Unlock()
	_ = old.Close()
	return np
}

// Close closes every process of the pool (see [Process.Close]); Runs in
// flight fail and later Runs return ErrPoolClosed. Close is idempotent.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.done)
	procs := append([]*Process(nil), p.procs...)
	p.mu.Unlock()

	var wg sync.WaitGroup
	for _, proc := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = proc.Close()
		}()
	}
	wg.Wait()
	p.wg.Wait() // replacements notice p.done and close what they started
	return nil
}

// lockedWriter serializes writes of several processes to one writer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes b to the underlying writer under the lock.
func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
