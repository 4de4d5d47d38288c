package vodstationtest

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vodflow/vodflow/pkg/edgetoken"
)

// MaxBodyBytes is the largest request body the emulator reads; larger
// bodies get 413 with gateway code 430.
const MaxBodyBytes = 2 << 20

// maxInFlightCallbacks bounds concurrent callback POSTs so that a burst of
// submissions does not open thousands of connections at once.
const maxInFlightCallbacks = 64

// Options configures an Emulator.
type Options struct {
	// AccessKey is the only access key accepted. When empty, no request
	// authenticates.
	AccessKey string
	// SecretKey is AccessKey's secret; signatures are verified with it. It
	// is never logged or echoed.
	SecretKey string
	// Clock returns the current time (default time.Now). It drives the
	// 5-minute timestamp window, Call.At and the status APIs' lastWorkTime.
	Clock func() time.Time
	// CallbackDelay is the pause between status transitions of a
	// simulated encoding (default 0).
	CallbackDelay time.Duration
	// HTTPClient posts callbacks (default: a client with a 10 s timeout).
	HTTPClient *http.Client
	// Logf, when set, receives debug lines. The secret key is never logged.
	Logf func(format string, args ...any)
	// Seed seeds the generator used by Fault.Probability, so that a run is
	// repeatable.
	Seed int64
	// MaxCalls, when > 0, bounds how many Calls are kept (the oldest are
	// dropped first); useful for long benchmarks. 0 keeps every call.
	MaxCalls int
	// Source is what the status-info answer says of every input
	// (default DefaultSource); its duration is the encoded media's.
	Source SourceMetadata
	// FFmpeg is the ffmpeg binary the edge encodes media with: "" looks
	// for "ffmpeg" on the PATH, "none" never encodes (the edge then serves
	// valid playlists whose segments are missing, with a note).
	FFmpeg string
	// OpenSource, when set, opens the uploaded object bucket/key: the
	// bytes the edge encodes a file's renditions from when PutSource gave
	// no local file for it, as VOD Station reads the object from Object
	// Storage (pkg/objectstoragetest's Server.Open fits). The object is
	// copied once per file into the media folder; when it cannot be
	// opened, the renditions answer 500 naming the object.
	OpenSource func(bucket, key string) (io.ReadCloser, error)
	// EdgeToken, when not nil, makes the Global Edge stand-in check a
	// token (its Type, Key and Name; see edgetoken.Signer) on every
	// manifest and segment it serves, as Global Edge does with signed
	// URLs on: from the query parameter Name, else the cookie Name, each
	// request on its own (no token is added to playlists, no cookie set).
	// A missing, expired, tampered token, or one for another path or
	// client IP, is answered 403.
	EdgeToken *edgetoken.Signer
}

// SetEdgeToken replaces Options.EdgeToken: from now on the Global Edge
// stand-in checks tokens made by sg (nil: no check), as when signed URLs
// are turned on in the Global Edge console. It is safe while serving.
func (e *Emulator) SetEdgeToken(sg *edgetoken.Signer) {
	if sg != nil {
		c := *sg
		sg = &c
	}
	e.edgeToken.Store(sg)
}

// Call is one request the emulator received, faulted or not.
type Call struct {
	// Method is the request method.
	Method string
	// RequestURI is r.URL.RequestURI(): what the signature covers.
	RequestURI string
	// Path is the URL path.
	Path string
	// Header is a copy of the request headers, signature included so that
	// tests can recompute it.
	Header http.Header
	// Body is the request body as read (nil when the body was never read,
	// e.g. DropBeforeBody; at most MaxBodyBytes+1 bytes).
	Body []byte
	// Status is the HTTP status answered; 0 when the connection was
	// dropped or the client went away first.
	Status int
	// Authenticated is true when the signature was verified successfully.
	Authenticated bool
	// Fault is true when an injected fault applied to the request.
	Fault bool
	// At is when the request arrived (Options.Clock).
	At time.Time
}

// Emulator is an in-memory VOD Station behind an emulated API gateway. It
// implements http.Handler. The zero value is not usable; call New.
type Emulator struct {
	opts       Options
	edgeToken  atomic.Pointer[edgetoken.Signer] // Options.EdgeToken, or SetEdgeToken's
	clock      func() time.Time
	client     *http.Client
	ownsClient bool

	// ctx is cancelled by Close; it stops simulated encodings.
	ctx         context.Context
	cancel      context.CancelFunc
	closeOnce   sync.Once
	callbackSem chan struct{}

	// mu guards the VOD Station state below.
	mu            sync.RWMutex
	categories    map[int64]*Category
	categoryOrder []int64 // sorted ids
	nextCategory  int64
	channels      map[string]Channel
	nextChannel   int64
	files         map[int64]*file
	fileOrder     []*file // in id order
	nextFileID    int64
	submissions   []Submission
	submitted     map[string]int

	callsMu sync.Mutex
	calls   []Call

	faultMu    sync.Mutex
	faults     []*activeFault
	faultCount atomic.Int64
	rng        *rand.Rand

	idleMu sync.Mutex
	active int
	idle   chan struct{} // closed when active drops to 0

	// mediaMu guards the edge's media (edge.go).
	mediaMu  sync.Mutex
	medias   map[string]*media
	sources  map[string]string
	fetched  map[string]*fetchedSource // OpenSource copies, by bucket/key
	mediaDir string
}

// New returns an Emulator with no categories or channels.
func New(opts Options) *Emulator {
	e := &Emulator{
		opts:         opts,
		clock:        opts.Clock,
		client:       opts.HTTPClient,
		categories:   make(map[int64]*Category),
		channels:     make(map[string]Channel),
		files:        make(map[int64]*file),
		submitted:    make(map[string]int),
		nextCategory: 1,
		nextChannel:  1,
		nextFileID:   1,
		callbackSem:  make(chan struct{}, maxInFlightCallbacks),
		rng:          rand.New(rand.NewPCG(uint64(opts.Seed), 0x766f64)),
	}
	e.edgeToken.Store(opts.EdgeToken)
	if e.clock == nil {
		e.clock = time.Now
	}
	if e.client == nil {
		tr := &http.Transport{Proxy: http.ProxyFromEnvironment}
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			tr = dt.Clone()
		}
		tr.MaxIdleConnsPerHost = maxInFlightCallbacks
		e.client = &http.Client{Timeout: 10 * time.Second, Transport: tr}
		e.ownsClient = true
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	return e
}

// Close stops the simulated encodings (callbacks not yet sent are not
// sent) and waits for their goroutines. It is safe to call more than once.
// The emulator still answers requests afterwards, but new encodings stop
// immediately.
func (e *Emulator) Close() {
	e.closeOnce.Do(func() {
		e.cancel()
		_ = e.WaitIdle(context.Background())
		e.removeMedia()
		if e.ownsClient {
			e.client.CloseIdleConnections()
		}
	})
}

func (e *Emulator) logf(format string, args ...any) {
	if e.opts.Logf != nil {
		e.opts.Logf(format, args...)
	}
}

// ServeHTTP handles one request: faults, body cap, authentication, routing.
// The call is recorded before the answer is written (or the connection
// dropped), so a client that has seen the outcome also sees the call in
// Calls.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e.isEdge(r) {
		e.serveEdge(w, r)
		return
	}
	call := Call{
		Method:     r.Method,
		RequestURI: r.URL.RequestURI(),
		Path:       r.URL.Path,
		Header:     r.Header.Clone(),
		At:         e.clock(),
	}
	answer := func(resp response) {
		call.Status = resp.status
		e.record(call)
		writeResponse(w, resp)
	}
	drop := func() {
		e.record(call)
		dropConnection(w)
	}

	f, faulted := e.takeFault(r)
	if !faulted {
		answer(e.handle(r, &call))
		return
	}
	call.Fault = true

	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			e.record(call) // client gone; Status stays 0
			return
		}
	}
	switch f.Drop {
	case DropBeforeBody:
		drop()
		return
	case DropAfterBody:
		call.Body, _ = readBody(r)
		drop()
		return
	case DropAfterProcessing:
		e.handle(r, &call)
		drop()
		return
	}
	switch {
	case f.Status == 0: // latency-only fault, or Process without override
		answer(e.handle(r, &call))
		return
	case f.Process:
		e.handle(r, &call)
	default:
		// The body is read (as the gateway would) but not processed.
		call.Body, _ = readBody(r)
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
	}
	answer(response{status: f.Status, body: []byte(f.Body), contentType: ct})
}

// handle is the normal pipeline: route, body cap, authentication, handler.
func (e *Emulator) handle(r *http.Request, call *Call) response {
	body, err := readBody(r)
	call.Body = body
	if errors.Is(err, errBodyTooLarge) {
		return errorResponse(http.StatusRequestEntityTooLarge, CodeEntityTooLarge, "request body larger than 2 MiB")
	}
	if err != nil {
		return errorResponse(http.StatusBadRequest, CodeBadRequest, "cannot read request body")
	}
	h := e.route(r.Method, r.URL.Path)
	if h == nil {
		return errorResponse(http.StatusNotFound, CodeNotFound, "no resource for "+r.Method+" "+r.URL.Path)
	}
	if details := e.authenticate(r); details != "" {
		return errorResponse(http.StatusUnauthorized, CodeAuthFailed, details)
	}
	call.Authenticated = true
	return h(r, body)
}

var errBodyTooLarge = errors.New("body too large")

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return b, err
	}
	if len(b) > MaxBodyBytes {
		return b, errBodyTooLarge
	}
	return b, nil
}

func writeResponse(w http.ResponseWriter, resp response) {
	if resp.contentType != "" {
		w.Header().Set("Content-Type", resp.contentType)
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// dropConnection closes the client connection without an answer. It
// hijacks the connection when it can; otherwise it aborts the handler with
// http.ErrAbortHandler, which net/http turns into a closed connection (or a
// reset HTTP/2 stream) without logging.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// handlerFunc handles an authenticated request whose body has been read.
type handlerFunc func(r *http.Request, body []byte) response

// route returns the handler for method and path, or nil (404 code 300).
// The gateway's behaviour for a known path with another method is not
// documented; the emulator answers 404 code 300 as for any unknown route.
func (e *Emulator) route(method, path string) handlerFunc {
	rest, ok := strings.CutPrefix(path, "/api/v2/")
	if !ok {
		return nil
	}
	parts := strings.Split(rest, "/")
	switch {
	case method == http.MethodGet && len(parts) == 1 && parts[0] == "category":
		return e.listCategories
	case method == http.MethodGet && len(parts) == 2 && parts[0] == "category" && parts[1] != "":
		return func(r *http.Request, _ []byte) response { return e.getCategory(parts[1]) }
	case method == http.MethodPut && len(parts) == 3 && parts[0] == "category" && parts[1] != "" && parts[2] == "add-files":
		return func(r *http.Request, body []byte) response { return e.addFiles(parts[1], body) }
	case method == http.MethodGet && len(parts) == 2 && parts[0] == "encoding-option" && parts[1] != "":
		return func(r *http.Request, _ []byte) response { return e.getEncodingOption(parts[1]) }
	case method == http.MethodGet && len(parts) == 1 && parts[0] == "status":
		return e.listStatus
	case method == http.MethodGet && len(parts) == 2 && parts[0] == "status" && parts[1] != "":
		return func(r *http.Request, _ []byte) response { return e.getStatus(parts[1]) }
	case method == http.MethodGet && len(parts) == 2 && parts[0] == "channels" && parts[1] != "":
		return func(r *http.Request, _ []byte) response { return e.getChannel(parts[1]) }
	}
	return nil
}

func (e *Emulator) record(c Call) {
	if e.opts.Logf != nil {
		e.opts.Logf("vodstationtest: %s %s -> %d (fault=%t auth=%t)", c.Method, c.RequestURI, c.Status, c.Fault, c.Authenticated)
	}
	e.callsMu.Lock()
	defer e.callsMu.Unlock()
	e.calls = append(e.calls, c)
	if max := e.opts.MaxCalls; max > 0 && len(e.calls) >= 2*max {
		kept := make([]Call, max, 2*max)
		copy(kept, e.calls[len(e.calls)-max:])
		e.calls = kept
	}
}

// retained returns the calls Calls and CountCalls report. Call with
// callsMu held.
func (e *Emulator) retained() []Call {
	calls := e.calls
	if max := e.opts.MaxCalls; max > 0 && len(calls) > max {
		calls = calls[len(calls)-max:]
	}
	return calls
}

// Calls returns a copy of every recorded request, in the order they
// finished (only the latest Options.MaxCalls when that is set).
func (e *Emulator) Calls() []Call {
	e.callsMu.Lock()
	calls := e.retained()
	out := make([]Call, len(calls))
	copy(out, calls)
	e.callsMu.Unlock()
	for i := range out {
		out[i].Header = out[i].Header.Clone()
		if out[i].Body != nil {
			out[i].Body = append([]byte(nil), out[i].Body...)
		}
	}
	return out
}

// CountCalls returns how many recorded calls have the method ("" = any) and
// a URL path starting with pathPrefix ("" = any). Faulted and
// unauthenticated calls count too.
func (e *Emulator) CountCalls(method, pathPrefix string) int {
	e.callsMu.Lock()
	defer e.callsMu.Unlock()
	n := 0
	calls := e.retained()
	for i := range calls {
		c := &calls[i]
		if (method == "" || strings.EqualFold(c.Method, method)) && strings.HasPrefix(c.Path, pathPrefix) {
			n++
		}
	}
	return n
}

// ResetCalls forgets every recorded call.
func (e *Emulator) ResetCalls() {
	e.callsMu.Lock()
	defer e.callsMu.Unlock()
	e.calls = nil
}

// WaitIdle waits until every simulated encoding has sent all its callbacks
// (or stopped because of Close), or until ctx is done.
func (e *Emulator) WaitIdle(ctx context.Context) error {
	e.idleMu.Lock()
	if e.active == 0 {
		e.idleMu.Unlock()
		return nil
	}
	ch := e.idle
	e.idleMu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *Emulator) workStarted() {
	e.idleMu.Lock()
	defer e.idleMu.Unlock()
	if e.active == 0 {
		e.idle = make(chan struct{})
	}
	e.active++
}

func (e *Emulator) workDone() {
	e.idleMu.Lock()
	defer e.idleMu.Unlock()
	e.active--
	if e.active == 0 {
		close(e.idle)
	}
}
