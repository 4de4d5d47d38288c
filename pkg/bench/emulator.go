package bench

import (
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// Emulator credentials and names. They open nothing but the local test
// double.
const (
	accessKey    = "vodflow-bench-access-key"
	secretKey    = "vodflow-bench-secret-key"
	categoryName = "vodflow-bench"
	bucketName   = "vodflow-bench-uploads"
	// maxCalls bounds the calls the emulator keeps; phases reset them.
	maxCalls = 50000
)

// timedEmulator is the VOD Station emulator on a loopback HTTP/1.1 server,
// behind a middleware that adds up the time spent inside the emulator's
// handler: its "service time", which the bench subtracts from activation
// times.
type timedEmulator struct {
	*vodstationtest.Emulator
	url      string
	category vodstationtest.Category

	srv  *http.Server
	done chan struct{}

	service  atomic.Int64 // nanoseconds inside Emulator.ServeHTTP
	requests atomic.Int64 // requests served
}

// startEmulator starts an emulator on 127.0.0.1 with a free port, seeded
// with one category.
func startEmulator(seed int64) (*timedEmulator, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: start the emulator: %w", err)
	}
	e := &timedEmulator{
		Emulator: vodstationtest.New(vodstationtest.Options{
			AccessKey: accessKey, SecretKey: secretKey, Seed: seed, MaxCalls: maxCalls,
		}),
		url:  "http://" + ln.Addr().String(),
		done: make(chan struct{}),
	}
	e.category = e.AddCategory(vodstationtest.Category{Name: categoryName})
	e.srv = &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(e.done)
		// Serve returns ErrServerClosed on Close; any other error breaks
		// the listener, and the phase using it fails on its requests.
		_ = e.srv.Serve(ln)
	}()
	return e, nil
}

// ServeHTTP times the emulator's handler.
func (e *timedEmulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	e.Emulator.ServeHTTP(w, r)
	e.service.Add(int64(time.Since(start)))
	e.requests.Add(1)
}

// counters returns the total service time and request count so far.
func (e *timedEmulator) counters() (time.Duration, int64) {
	return time.Duration(e.service.Load()), e.requests.Load()
}

// Close stops the server and the emulator's simulated encodings.
func (e *timedEmulator) Close() {
	_ = e.srv.Close()
	<-e.done
	e.Emulator.Close()
}

// packageParams are the package defaults the actions get: the emulator's
// keys and URL.
func (e *timedEmulator) packageParams() map[string]any {
	return map[string]any{
		"NCLOUD_ACCESS_KEY": accessKey,
		"NCLOUD_SECRET_KEY": secretKey,
		"API_URL":           e.url,
		"REGION":            "KR",
	}
}
