package vodstationtest

import (
	"net/http"
	"strings"
	"time"
)

// DropMode says whether and when a faulted request loses its connection
// instead of getting an answer.
//
// A dropped request is seen by a net/http client as a transport error
// (io.EOF / "connection reset"), never as a response. Note that
// http.Transport silently retries idempotent requests (GET, HEAD, ...) that
// fail this way on a reused keep-alive connection, so a test that wants to
// see the failure itself should use a fresh connection or a Times large
// enough to cover the retry.
type DropMode int

const (
	// DropNone answers normally.
	DropNone DropMode = iota
	// DropBeforeBody closes the connection before the request body is read.
	DropBeforeBody
	// DropAfterBody reads the body, processes nothing and closes the
	// connection.
	DropAfterBody
	// DropAfterProcessing processes the request fully (for add-files the
	// files are accepted and encodings start), then closes the connection
	// without an answer. It implies Fault.Process.
	DropAfterProcessing
)

// String returns the mode's name.
func (d DropMode) String() string {
	switch d {
	case DropNone:
		return "DropNone"
	case DropBeforeBody:
		return "DropBeforeBody"
	case DropAfterBody:
		return "DropAfterBody"
	case DropAfterProcessing:
		return "DropAfterProcessing"
	}
	return "DropMode(?)"
}

// Fault describes a failure to inject into matching requests. Faults are
// checked before authentication, so they can simulate a gateway outage;
// faulted requests are still recorded in Calls with Call.Fault set.
//
// Order of effects: Delay first; then Drop; then, when Process is set, the
// request is handled normally (authentication, state changes); then Status
// and Body replace the answer. A fault with only Delay set (Status 0, no
// Drop) adds latency in front of the normal answer.
type Fault struct {
	// Method matches the request method; "" matches any.
	Method string
	// Path is a prefix of the URL path; "" matches any.
	Path string
	// Times is how many matching requests the fault applies to; <= 0 means
	// until ClearFaults.
	Times int
	// Probability, when in (0,1), applies the fault to a matching request
	// with this probability, drawn from a generator seeded with
	// Options.Seed. 0 (or >= 1) applies it to every matching request.
	// Requests it skips do not use up Times.
	Probability float64
	// Delay is slept before anything else, honouring the request context
	// (a client that gives up ends the wait; the call is then recorded with
	// Status 0).
	Delay time.Duration
	// Status, when non-zero, is the HTTP status answered...
	Status int
	// Body ...with this body.
	Body string
	// ContentType of Body; default application/json.
	ContentType string
	// Process runs the real handler first (state changes happen), then
	// answers Status/Body instead of its answer (or drops the connection
	// when Drop is DropAfterProcessing).
	Process bool
	// Drop closes the connection instead of answering.
	Drop DropMode
}

// activeFault is an injected fault with its remaining budget.
type activeFault struct {
	Fault
	remaining int // < 0: unlimited
}

func (f *activeFault) matches(r *http.Request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	return strings.HasPrefix(r.URL.Path, f.Path)
}

// InjectFault adds f. Faults are tried in the order they were injected; the
// first one that matches (and passes its Probability draw) applies, and
// only one fault applies to a request.
func (e *Emulator) InjectFault(f Fault) {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	remaining := f.Times
	if remaining <= 0 {
		remaining = -1
	}
	e.faults = append(e.faults, &activeFault{Fault: f, remaining: remaining})
	e.faultCount.Store(int64(len(e.faults)))
}

// ClearFaults removes every injected fault.
func (e *Emulator) ClearFaults() {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	e.faults = nil
	e.faultCount.Store(0)
}

// takeFault returns the fault that applies to r, using up one of its Times.
func (e *Emulator) takeFault(r *http.Request) (Fault, bool) {
	if e.faultCount.Load() == 0 { // fast path: no lock when no faults
		return Fault{}, false
	}
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	for i, f := range e.faults {
		if !f.matches(r) {
			continue
		}
		if f.Probability > 0 && f.Probability < 1 && e.rng.Float64() >= f.Probability {
			continue
		}
		if f.remaining > 0 {
			f.remaining--
			if f.remaining == 0 {
				e.faults = append(e.faults[:i:i], e.faults[i+1:]...)
				e.faultCount.Store(int64(len(e.faults)))
			}
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// gatewayFault builds a fault answering a gateway error.
func gatewayFault(method, path string, times, status int, code, details string) Fault {
	return Fault{
		Method: method,
		Path:   path,
		Times:  times,
		Status: status,
		Body:   ErrorBody(code, "", details),
	}
}

// Throttle returns a fault answering 429 with gateway code 410 "Throttle
// Limited" to the next times matching requests (<= 0: until ClearFaults).
func Throttle(method, path string, times int) Fault {
	return gatewayFault(method, path, times, http.StatusTooManyRequests, CodeThrottleLimited, "injected throttle")
}

// RateLimit returns a fault answering 429 with gateway code 420 "Rate
// Limited".
func RateLimit(method, path string, times int) Fault {
	return gatewayFault(method, path, times, http.StatusTooManyRequests, CodeRateLimited, "injected rate limit")
}

// QuotaExceeded returns a fault answering 429 with gateway code 400 "Quota
// Exceeded".
func QuotaExceeded(method, path string, times int) Fault {
	return gatewayFault(method, path, times, http.StatusTooManyRequests, CodeQuotaExceeded, "injected quota")
}

// Unavailable returns a fault answering 503 with gateway code 500
// "Endpoint Error".
func Unavailable(method, path string, times int) Fault {
	return gatewayFault(method, path, times, http.StatusServiceUnavailable, CodeEndpointError, "injected outage")
}

// GatewayTimeout returns a fault answering 504 with gateway code 510
// "Endpoint Timeout".
func GatewayTimeout(method, path string, times int) Fault {
	return gatewayFault(method, path, times, http.StatusGatewayTimeout, CodeEndpointTimeout, "injected timeout")
}

// InternalError returns a fault answering 500 with gateway code 900
// "Unexpected Error".
func InternalError(method, path string, times int) Fault {
	return gatewayFault(method, path, times, http.StatusInternalServerError, CodeUnexpected, "injected error")
}

// Latency returns a fault that waits d before answering normally.
func Latency(method, path string, times int, d time.Duration) Fault {
	return Fault{Method: method, Path: path, Times: times, Delay: d}
}

// Drop returns a fault that closes the connection as mode says.
func Drop(method, path string, times int, mode DropMode) Fault {
	return Fault{Method: method, Path: path, Times: times, Drop: mode}
}
