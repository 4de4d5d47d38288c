package actionproxy

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// maxLogBytes bounds the logs a Process keeps in memory; older bytes are
// dropped (Options.Logs still sees everything).
const maxLogBytes = 8 << 20

// The log pipes carry, besides the action's output, sync markers that the
// proxy writes itself after each activation: once a stream's reader has seen
// the marker, every byte the action wrote before its result line has been
// captured (pipes are FIFO and a marker write is atomic). Markers never reach
// the captured logs or Options.Logs.
var markerPrefix = []byte("\x00\x00actionproxy-log-sync:")

// markerLen is the length of a whole marker: prefix, 16 hex digits, NUL.
var markerLen = len(markerPrefix) + 16 + 1

// marker returns the sync marker for generation gen.
func marker(gen uint64) []byte {
	return fmt.Appendf(append([]byte(nil), markerPrefix...), "%016x\x00", gen)
}

// logCapture collects the action's stdout and stderr, in arrival order.
type logCapture struct {
	mu      sync.Mutex
	buf     []byte
	base    int64 // absolute offset of buf[0]
	forward io.Writer
}

// append adds p to the logs and forwards it.
func (c *logCapture) append(p []byte) {
	if len(p) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, p...)
	if over := len(c.buf) - maxLogBytes; over > 0 {
		drop := max(over, maxLogBytes/4)
		c.buf = append(c.buf[:0], c.buf[drop:]...)
		c.base += int64(drop)
	}
	if c.forward != nil {
		_, _ = c.forward.Write(p) // best effort: a failing writer must not stop the capture
	}
}

// offset returns the absolute offset of the end of the logs.
func (c *logCapture) offset() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base + int64(len(c.buf))
}

// since returns a copy of the logs from absolute offset off (or from the
// oldest byte kept).
func (c *logCapture) since(off int64) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := max(off-c.base, 0)
	if i > int64(len(c.buf)) {
		return nil
	}
	return bytes.Clone(c.buf[i:])
}

// tail returns a copy of the last n bytes of the logs.
func (c *logCapture) tail(n int) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf[max(len(c.buf)-n, 0):])
}

// logStream is one of the action's output pipes.
type logStream struct {
	r *os.File // read end, ours
	w *os.File // write end; the child has a copy, we keep ours for markers

	mu     sync.Mutex
	synced uint64        // highest marker generation seen
	eof    bool          // the reader has stopped
	notify chan struct{} // closed and replaced on every change
}

// newLogStream creates the pipe for one output stream.
func newLogStream() (*logStream, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("create log pipe: %w", err)
	}
	return &logStream{r: r, w: w, notify: make(chan struct{})}, nil
}

// changed records a state change and wakes waiters. Callers hold s.mu.
func (s *logStream) changed() {
	close(s.notify)
	s.notify = make(chan struct{})
}

// read copies the stream into c until EOF or until s.r is closed, stripping
// sync markers.
func (s *logStream) read(c *logCapture) {
	buf := make([]byte, 32<<10)
	var data []byte // unconsumed bytes: a possible partial marker, then new input
	for {
		n, err := s.r.Read(buf)
		data = append(data, buf[:n]...)
		data = s.consume(c, data)
		if err != nil {
			c.append(data)
			s.mu.Lock()
			s.eof = true
			s.changed()
			s.mu.Unlock()
			return
		}
	}
}

// consume appends data to c up to any marker, records the markers and
// returns the bytes that may be the beginning of a marker.
func (s *logStream) consume(c *logCapture, data []byte) []byte {
	for len(data) > 0 {
		i := bytes.Index(data, markerPrefix)
		if i < 0 {
			keep := partialPrefix(data, markerPrefix)
			c.append(data[:len(data)-keep])
			return append(data[:0], data[len(data)-keep:]...)
		}
		c.append(data[:i])
		data = data[i:]
		if len(data) < markerLen {
			return data // wait for the rest of the marker
		}
		hex := data[len(markerPrefix) : markerLen-1]
		gen, err := strconv.ParseUint(string(hex), 16, 64)
		if err != nil || data[markerLen-1] != 0 {
			// Not one of ours: keep the bytes as output.
			c.append(data[:len(markerPrefix)])
			data = data[len(markerPrefix):]
			continue
		}
		s.mu.Lock()
		s.synced = max(s.synced, gen)
		s.changed()
		s.mu.Unlock()
		data = data[markerLen:]
	}
	return data[:0]
}

// partialPrefix returns the length of the longest suffix of data that is a
// proper prefix of prefix.
func partialPrefix(data, prefix []byte) int {
	for k := min(len(data), len(prefix)-1); k > 0; k-- {
		if bytes.Equal(data[len(data)-k:], prefix[:k]) {
			return k
		}
	}
	return 0
}

// sync writes marker gen into the stream and waits until the reader has seen
// it or has stopped, or until deadline. It reports whether the stream is in
// sync.
func (s *logStream) sync(gen uint64, deadline time.Time) bool {
	if err := s.w.SetWriteDeadline(deadline); err != nil {
		return false // write end closed: the process has exited
	}
	if _, err := s.w.Write(marker(gen)); err != nil {
		return false
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		s.mu.Lock()
		done, ch := s.synced >= gen || s.eof, s.notify
		s.mu.Unlock()
		if done {
			return true
		}
		select {
		case <-ch:
		case <-timer.C:
			return false
		}
	}
}

// waitEOF waits until the reader has stopped or until deadline; it reports
// whether the reader stopped.
func (s *logStream) waitEOF(deadline time.Time) bool {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		s.mu.Lock()
		eof, ch := s.eof, s.notify
		s.mu.Unlock()
		if eof {
			return true
		}
		select {
		case <-ch:
		case <-timer.C:
			return false
		}
	}
}
