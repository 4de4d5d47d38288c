package vodstationtest

import (
	"errors"
	"log"
	"net"
	"net/http"
	"strings"
	"time"
)

// Server is an Emulator listening on a real TCP address (HTTP/1.1, no TLS).
type Server struct {
	*Emulator
	// URL is the base URL, e.g. "http://127.0.0.1:41234"; use it as the
	// VOD Station base URL.
	URL string

	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// NewServer starts an emulator on 127.0.0.1 with a free port.
func NewServer(opts Options) (*Server, error) {
	return Listen("127.0.0.1:0", opts)
}

// Listen starts an emulator on addr, e.g. "127.0.0.1:8090" for
// `vodflow emulator --addr 127.0.0.1:8090`.
func Listen(addr string, opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	e := New(opts)
	s := &Server{
		Emulator: e,
		URL:      "http://" + ln.Addr().String(),
		ln:       ln,
		done:     make(chan struct{}),
		srv: &http.Server{
			Handler:           e,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          log.New(logWriter{e}, "", 0),
		},
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.logf("vodstationtest: serve: %v", err)
		}
	}()
	return s, nil
}

// Close stops the listener, closes open connections and stops the
// simulated encodings (see Emulator.Close).
func (s *Server) Close() {
	_ = s.srv.Close()
	<-s.done
	s.Emulator.Close()
}

// logWriter sends net/http's server log lines to Options.Logf.
type logWriter struct{ e *Emulator }

func (w logWriter) Write(p []byte) (int, error) {
	w.e.logf("vodstationtest: http: %s", strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
